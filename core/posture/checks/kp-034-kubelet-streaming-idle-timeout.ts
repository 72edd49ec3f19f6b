import type { PostureCheck } from '../check.ts';
import { show } from '../results.ts';
import { durationSeconds, evaluateKubelets, evidenceOf, field } from './kubelet-support.ts';

export const kubeletStreamingIdleTimeoutCheck: PostureCheck = {
  id: 'KP-034',
  title: 'Kubelet streamingConnectionIdleTimeout is not 0',
  severity: 'medium',
  category: 'node',
  core: false,
  cis: ['3.2.5'],
  reads: ['kubelet:config'],
  remediation:
    'Set streamingConnectionIdleTimeout to a bounded value such as 5m (default 4h) in the kubelet configuration.',
  evaluate(snapshot) {
    return evaluateKubelets(this, snapshot, (config) => {
      const value = field(config, 'streamingConnectionIdleTimeout');
      const evidence = evidenceOf(config, 'streamingConnectionIdleTimeout');
      if (value === undefined)
        return { pass: true, message: 'streamingConnectionIdleTimeout uses the default (4h)', evidence };
      const seconds = durationSeconds(value);
      if (seconds === undefined) {
        return {
          pass: false,
          message: `streamingConnectionIdleTimeout ${show(value)} is not a duration`,
          evidence,
        };
      }
      return seconds > 0
        ? { pass: true, message: `idle exec / port-forward streams close after ${String(value)}`, evidence }
        : {
            pass: false,
            message: `streamingConnectionIdleTimeout is ${show(value)}: idle exec and port-forward streams never time out`,
            evidence,
          };
    });
  },
};
