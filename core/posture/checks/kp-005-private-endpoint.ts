import type { PostureCheck } from '../check.ts';
import { record } from '../pod-templates.ts';
import { show } from '../results.ts';
import { evaluateCluster } from './aws-support.ts';

export const privateEndpointCheck: PostureCheck = {
  id: 'KP-005',
  title: 'Private endpoint enabled and public endpoint disabled',
  severity: 'high',
  category: 'aws',
  core: true,
  cis: ['5.4.2'],
  reads: ['eks:cluster'],
  remediation:
    'aws eks update-cluster-config --name <cluster> --resources-vpc-config endpointPrivateAccess=true,endpointPublicAccess=false (clients then need a path into the VPC: VPN, Direct Connect or a bastion)',
  evaluate(snapshot) {
    return evaluateCluster(this, snapshot, (cluster) => {
      const vpc = record(cluster.resourcesVpcConfig) ?? {};
      const evidence = {
        'cluster.resourcesVpcConfig.endpointPrivateAccess': show(vpc.endpointPrivateAccess),
        'cluster.resourcesVpcConfig.endpointPublicAccess': show(vpc.endpointPublicAccess),
      };
      const problems: string[] = [];
      if (vpc.endpointPrivateAccess !== true) {
        problems.push(`endpointPrivateAccess is ${show(vpc.endpointPrivateAccess)} (want true)`);
      }
      if (vpc.endpointPublicAccess !== false) {
        problems.push(`endpointPublicAccess is ${show(vpc.endpointPublicAccess)} (want false)`);
      }
      return problems.length === 0
        ? { pass: true, message: 'the API is reachable only through the private endpoint', evidence }
        : { pass: false, message: `cluster.resourcesVpcConfig: ${problems.join('; ')}`, evidence };
    });
  },
};
