import type { PostureCheck } from '../check.ts';
import { show } from '../results.ts';
import { evaluateKubelets, evidenceOf, field } from './kubelet-support.ts';

export const kubeletAuthorizationModeCheck: PostureCheck = {
  id: 'KP-031',
  title: 'Kubelet authorization mode is Webhook, not AlwaysAllow',
  severity: 'critical',
  category: 'node',
  core: true,
  cis: ['3.2.2'],
  reads: ['kubelet:config'],
  remediation:
    'Set authorization.mode: Webhook and authentication.webhook.enabled: true in the kubelet configuration, then replace the nodes.',
  evaluate(snapshot) {
    return evaluateKubelets(this, snapshot, (config) => {
      const mode = field(config, 'authorization.mode');
      const evidence = evidenceOf(config, 'authorization.mode');
      if (mode === 'Webhook')
        return {
          pass: true,
          message: 'kubelet requests are authorized by the API server (Webhook)',
          evidence,
        };
      return {
        pass: false,
        message:
          mode === undefined
            ? 'authorization.mode is not set: the kubelet flag default is AlwaysAllow'
            : `authorization.mode is ${show(mode)}: every authenticated (or anonymous) caller may exec, read logs and list pods on the node`,
        evidence,
      };
    });
  },
};
