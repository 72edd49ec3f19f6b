import { accessCheck } from './rbac-support.ts';

export const webhookConfigurationAccessCheck = accessCheck({
  id: 'KP-049',
  title: 'Minimize access to admission webhook configurations',
  severity: 'high',
  category: 'rbac',
  core: false,
  cis: ['4.1.11'],
  reads: ['roles', 'rolebindings'],
  remediation:
    'Keep create/update/patch/delete on mutating- and validatingwebhookconfigurations for cluster administrators and the controllers that own their webhooks.',
  requests: ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations'].flatMap((resource) =>
    ['create', 'update', 'patch', 'delete'].map((verb) => ({
      verb,
      resource,
      apiGroup: 'admissionregistration.k8s.io',
    })),
  ),
  impact: 'can change admission webhooks (intercept or rewrite every object the API server admits)',
});
