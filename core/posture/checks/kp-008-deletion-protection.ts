import type { PostureCheck } from '../check.ts';
import { show } from '../results.ts';
import { evaluateCluster } from './aws-support.ts';

export const deletionProtectionCheck: PostureCheck = {
  id: 'KP-008',
  title: 'Cluster deletion protection enabled',
  severity: 'medium',
  category: 'aws',
  core: false,
  cis: [],
  reads: ['eks:cluster'],
  remediation: 'aws eks update-cluster-config --name <cluster> --deletion-protection',
  evaluate(snapshot) {
    return evaluateCluster(this, snapshot, (cluster) => {
      const value = cluster.deletionProtection;
      const evidence = { 'cluster.deletionProtection': show(value) };
      if (value === true) return { pass: true, message: 'deletion protection is enabled', evidence };
      return {
        pass: false,
        message:
          value === undefined
            ? 'cluster.deletionProtection is not reported: deletion protection is off'
            : `cluster.deletionProtection is ${show(value)}: one DeleteCluster call removes the cluster`,
        evidence,
      };
    });
  },
};
