import { sentence } from '../../model/sentence.ts';
import { asString, isSystemPrincipal, namespaceOf, username } from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import { examplePodCreate } from './shared-workload-examples.ts';
import { actorOf, describePod, podIdentity, podMatch, requestedPodSpec } from './shared-workload-pod.ts';

export const kd009ControllerServiceAccount: AuditRule = {
  id: 'KD-009',
  title: 'Pod in kube-system using a controller service account',
  severity: 'medium',
  mitre: ['T1078.001'],
  core: false,
  resources: ['pods'],
  trigger:
    '`create` `pods`, namespace `kube-system`, `spec.serviceAccountName` ends with `controller`, non-system user',
  whatHappened:
    'A person created a pod in kube-system that runs as one of the controller service accounts ' +
    '(e.g. replicaset-controller, daemon-set-controller).',
  whyItMatters:
    'Controller service accounts carry broad RBAC (create pods, read secrets cluster-wide). Running a pod ' +
    'as one hands its token — and those permissions — to whoever controls the pod.',
  firstResponse:
    'Find who created the pod and delete it if it is not an approved break-glass action; rotate the ' +
    'service account token if the pod ran.',
  falsePositives:
    'Very rare: controllers’ own pods are created by system identities, which this rule ignores.',
  // Elastic "Suspicious Assignment of Controller Service Account" query shape, EKS user from the fixtures.
  example: examplePodCreate({
    auditID: '5e4d3c2b-0009-4a1b-8c9d-0e1f2a3b4c5d',
    namespace: 'kube-system',
    metadata: { name: 'maintenance', namespace: 'kube-system' },
    spec: {
      serviceAccountName: 'replicaset-controller',
      containers: [{ name: 'shell', image: 'alpine:3.20' }],
    },
  }),
  match(event) {
    const spec = requestedPodSpec(event);
    if (spec === undefined || namespaceOf(event) !== 'kube-system') return null;
    if (isSystemPrincipal(username(event))) return null;
    // serviceAccount is the deprecated alias the API server still accepts.
    const account = asString(spec.serviceAccountName) ?? asString(spec.serviceAccount) ?? '';
    if (!account.endsWith('controller')) return null;
    const summary = sentence`${actorOf(event)} created ${describePod(podIdentity(event))} running as service account ${account}.`;
    return podMatch(event, summary, { serviceAccount: account });
  },
};
