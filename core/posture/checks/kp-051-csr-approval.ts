import { accessCheck } from './rbac-support.ts';

export const csrApprovalCheck = accessCheck({
  id: 'KP-051',
  title: 'Minimize CertificateSigningRequest approval access',
  severity: 'high',
  category: 'rbac',
  core: false,
  cis: [],
  reads: ['roles', 'rolebindings'],
  remediation:
    'Remove update/patch on certificatesigningrequests/approval from roles that are not certificate controllers.',
  requests: ['update', 'patch'].map((verb) => ({
    verb,
    resource: 'certificatesigningrequests',
    subresource: 'approval',
    apiGroup: 'certificates.k8s.io',
  })),
  impact: 'can approve certificate requests (issue client certificates for any user or group)',
});
