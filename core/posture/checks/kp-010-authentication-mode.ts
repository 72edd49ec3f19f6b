import type { PostureCheck } from '../check.ts';
import { record } from '../pod-templates.ts';
import { show } from '../results.ts';
import { evaluateCluster } from './aws-support.ts';

export function authenticationMode(cluster: Record<string, unknown>): string | undefined {
  const mode = record(cluster.accessConfig)?.authenticationMode;
  return typeof mode === 'string' ? mode : undefined;
}

export const authenticationModeCheck: PostureCheck = {
  id: 'KP-010',
  title: 'Authentication mode uses EKS access entries',
  severity: 'medium',
  category: 'aws',
  core: true,
  cis: ['4.1.7'],
  reads: ['eks:cluster'],
  remediation:
    'aws eks update-cluster-config --name <cluster> --access-config authenticationMode=API_AND_CONFIG_MAP, move the aws-auth mappings to access entries, then switch to API (changes are one-way).',
  evaluate(snapshot) {
    return evaluateCluster(this, snapshot, (cluster) => {
      const mode = authenticationMode(cluster);
      const evidence = { 'cluster.accessConfig.authenticationMode': show(mode) };
      if (mode === 'API' || mode === 'API_AND_CONFIG_MAP') {
        return { pass: true, message: `authenticationMode is ${mode}`, evidence };
      }
      return {
        pass: false,
        message:
          mode === undefined
            ? 'cluster.accessConfig.authenticationMode is not reported (older cluster): only the aws-auth ConfigMap grants access'
            : `cluster.accessConfig.authenticationMode is ${show(mode)}: access is managed only through the aws-auth ConfigMap`,
        evidence,
      };
    });
  },
};
