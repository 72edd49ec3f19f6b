import type { PostureCheck } from '../check.ts';
import { evaluateKubelets, evidenceOf, field } from './kubelet-support.ts';

export const kubeletAnonymousAuthCheck: PostureCheck = {
  id: 'KP-030',
  title: 'Kubelet anonymous authentication disabled',
  severity: 'critical',
  category: 'node',
  core: true,
  cis: ['3.2.1'],
  reads: ['kubelet:config'],
  remediation:
    'Set authentication.anonymous.enabled: false in the kubelet configuration (or --anonymous-auth=false) through the node group launch template / nodeadm config, and replace the nodes.',
  evaluate(snapshot) {
    return evaluateKubelets(this, snapshot, (config) => {
      const enabled = field(config, 'authentication.anonymous.enabled');
      const evidence = evidenceOf(config, 'authentication.anonymous.enabled');
      if (enabled === false)
        return { pass: true, message: 'anonymous requests to the kubelet are rejected', evidence };
      return {
        pass: false,
        message:
          enabled === undefined
            ? 'authentication.anonymous.enabled is not set: the kubelet flag default (--anonymous-auth=true) serves anonymous requests'
            : `authentication.anonymous.enabled is ${String(enabled)}: anyone reaching port 10250 is served as system:anonymous`,
        evidence,
      };
    });
  },
};
