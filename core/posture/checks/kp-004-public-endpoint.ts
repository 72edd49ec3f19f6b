import type { PostureCheck } from '../check.ts';
import { record } from '../pod-templates.ts';
import { show } from '../results.ts';
import { evaluateCluster, strings } from './aws-support.ts';

const OPEN_TO_ALL = new Set(['0.0.0.0/0', '::/0']);

export const publicEndpointCheck: PostureCheck = {
  id: 'KP-004',
  title: 'Public API endpoint disabled or restricted to known CIDRs',
  severity: 'high',
  category: 'aws',
  core: true,
  cis: ['5.4.1'],
  reads: ['eks:cluster'],
  remediation:
    'aws eks update-cluster-config --name <cluster> --resources-vpc-config endpointPublicAccess=false,endpointPrivateAccess=true (or publicAccessCidrs=<office/VPN CIDRs>)',
  evaluate(snapshot) {
    return evaluateCluster(this, snapshot, (cluster) => {
      const vpc = record(cluster.resourcesVpcConfig) ?? {};
      const publicAccess = vpc.endpointPublicAccess;
      const evidence = { 'cluster.resourcesVpcConfig.endpointPublicAccess': show(publicAccess) };
      // Private-only clusters still report publicAccessCidrs ["0.0.0.0/0"]: read them only when public.
      if (publicAccess === false) {
        return { pass: true, message: 'the public API endpoint is disabled', evidence };
      }
      if (publicAccess !== true) {
        return {
          pass: false,
          message:
            'cluster.resourcesVpcConfig.endpointPublicAccess is not reported (older cluster): EKS then exposed the API publicly to 0.0.0.0/0',
          evidence,
        };
      }
      const cidrs = strings(vpc.publicAccessCidrs);
      const withCidrs = { ...evidence, 'cluster.resourcesVpcConfig.publicAccessCidrs': show(cidrs) };
      const open = cidrs.filter((cidr) => OPEN_TO_ALL.has(cidr));
      if (cidrs.length === 0 || open.length > 0) {
        return {
          pass: false,
          message: `the public API endpoint is open to the internet: publicAccessCidrs ${show(cidrs.length === 0 ? '(empty = all)' : cidrs)}`,
          evidence: withCidrs,
        };
      }
      return {
        pass: true,
        message: `the public API endpoint is restricted to ${cidrs.join(', ')}`,
        evidence: withCidrs,
      };
    });
  },
};
