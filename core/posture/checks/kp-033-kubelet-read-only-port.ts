import type { PostureCheck } from '../check.ts';
import { evaluateKubelets, evidenceOf, field } from './kubelet-support.ts';

export const kubeletReadOnlyPortCheck: PostureCheck = {
  id: 'KP-033',
  title: 'Kubelet read-only port disabled',
  severity: 'high',
  category: 'node',
  core: false,
  cis: ['3.2.4'],
  reads: ['kubelet:config'],
  remediation: 'Set readOnlyPort: 0 in the kubelet configuration (or --read-only-port=0).',
  evaluate(snapshot) {
    return evaluateKubelets(this, snapshot, (config) => {
      // configz omits zero values: an absent readOnlyPort is 0, i.e. disabled.
      const port = field(config, 'readOnlyPort') ?? 0;
      const evidence = evidenceOf(config, 'readOnlyPort');
      return port === 0
        ? { pass: true, message: 'the unauthenticated read-only port is disabled', evidence }
        : {
            pass: false,
            message: `readOnlyPort is ${String(port)}: pod specs and node metrics are served without authentication`,
            evidence,
          };
    });
  },
};
