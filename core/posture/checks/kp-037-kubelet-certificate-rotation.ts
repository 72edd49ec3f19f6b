import type { PostureCheck } from '../check.ts';
import { evaluateKubelets, evidenceOf, field } from './kubelet-support.ts';

export const kubeletCertificateRotationCheck: PostureCheck = {
  id: 'KP-037',
  title: 'Kubelet certificate rotation on (client and serving certificates)',
  severity: 'medium',
  category: 'node',
  core: false,
  cis: ['3.2.8', '3.2.9'],
  reads: ['kubelet:config'],
  remediation:
    'Remove rotateCertificates: false and featureGates.RotateKubeletServerCertificate: false from the kubelet configuration (rotation is on by default).',
  evaluate(snapshot) {
    return evaluateKubelets(this, snapshot, (config) => {
      const evidence = evidenceOf(
        config,
        'rotateCertificates',
        'featureGates.RotateKubeletServerCertificate',
      );
      const problems: string[] = [];
      // CIS 3.2.8 / 3.2.9: "not present or set to true"; only an explicit false fails.
      if (field(config, 'rotateCertificates') === false) {
        problems.push('rotateCertificates is false (client certificate is never renewed)');
      }
      if (field(config, 'featureGates.RotateKubeletServerCertificate') === false) {
        problems.push(
          'featureGates.RotateKubeletServerCertificate is false (serving certificate is never renewed)',
        );
      }
      return problems.length === 0
        ? { pass: true, message: 'kubelet client and serving certificates rotate', evidence }
        : { pass: false, message: problems.join('; '), evidence };
    });
  },
};
