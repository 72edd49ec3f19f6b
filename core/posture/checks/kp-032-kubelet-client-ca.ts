import type { PostureCheck } from '../check.ts';
import { evaluateKubelets, evidenceOf, field } from './kubelet-support.ts';

export const kubeletClientCaCheck: PostureCheck = {
  id: 'KP-032',
  title: 'Kubelet client CA file configured',
  severity: 'high',
  category: 'node',
  core: false,
  cis: ['3.2.3'],
  reads: ['kubelet:config'],
  remediation:
    'Set authentication.x509.clientCAFile to the cluster CA (EKS AMIs use /etc/kubernetes/pki/ca.crt) so the kubelet verifies client certificates.',
  evaluate(snapshot) {
    return evaluateKubelets(this, snapshot, (config) => {
      const file = field(config, 'authentication.x509.clientCAFile');
      const evidence = evidenceOf(config, 'authentication.x509.clientCAFile');
      return typeof file === 'string' && file !== ''
        ? { pass: true, message: `client certificates are verified against ${file}`, evidence }
        : {
            pass: false,
            message: 'authentication.x509.clientCAFile is not set: client certificates are not verified',
            evidence,
          };
    });
  },
};
