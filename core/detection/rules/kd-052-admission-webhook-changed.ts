import { sentence } from '../../model/sentence.ts';
import {
  type AuditEvent,
  asArray,
  asString,
  getPath,
  isRecord,
  isRequestOn,
  isSuccess,
} from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import {
  actor,
  describeTarget,
  isNonSystemCaller,
  listOf,
  pastTense,
  targetWorkload,
} from './shared-rbac-objects.ts';

const VERBS = ['create', 'update', 'patch', 'delete'];
const WEBHOOK_RESOURCES = ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations'];
const ADMISSION_GROUP = 'admissionregistration.k8s.io';

/** objectRef.apiGroup, when given, must be admissionregistration (some trimmed logs omit it). */
function inAdmissionGroup(event: AuditEvent): boolean {
  const group = asString(event.objectRef?.apiGroup);
  return group === undefined || group === '' || group === ADMISSION_GROUP;
}

/** Where a webhook sends admission reviews: its URL, or `service <ns>/<name>`. */
function webhookTarget(clientConfig: unknown): string | undefined {
  const url = asString(getPath(clientConfig, 'url'));
  if (url !== undefined) return url;
  const name = asString(getPath(clientConfig, 'service', 'name'));
  if (name === undefined) return undefined;
  const namespace = asString(getPath(clientConfig, 'service', 'namespace')) ?? 'default';
  return `service ${namespace}/${name}`;
}

function webhookEvidence(event: AuditEvent): Record<string, string> {
  const webhooks = asArray(getPath(event.requestObject, 'webhooks')).filter(isRecord);
  if (webhooks.length === 0) return {};
  const names = webhooks.map((hook) => asString(hook.name) ?? '(unnamed)');
  const targets = webhooks.flatMap((hook) => webhookTarget(hook.clientConfig) ?? []);
  const policies = webhooks.map((hook) => asString(hook.failurePolicy) ?? 'Fail (default)');
  return { webhooks: listOf(names), targets: listOf(targets), failurePolicies: listOf(policies) };
}

export const kd052AdmissionWebhookChanged: AuditRule = {
  id: 'KD-052',
  title: 'Admission webhook configuration created/modified/deleted',
  severity: 'medium',
  mitre: ['T1546', 'T1562'],
  core: true,
  resources: ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations'],
  trigger:
    'verb ∈ {create, update, patch, delete} on `mutatingwebhookconfigurations` / ' +
    '`validatingwebhookconfigurations` (apiGroup `admissionregistration.k8s.io`), success, non-system user',
  whatHappened:
    'A person created, changed or deleted a mutating or validating admission webhook configuration.',
  whyItMatters:
    'A mutating webhook sees, and can rewrite, every object it matches — for example injecting a ' +
    'sidecar or a privileged container into every new pod. Deleting or loosening a validating webhook ' +
    'switches off policy enforcement (Gatekeeper, Kyverno).',
  firstResponse:
    'Check the webhook target (URL or service) in the evidence: is it a known policy engine or mesh? ' +
    'If not, delete the configuration and look for pods created since with unexpected containers.',
  falsePositives:
    'Installing or upgrading a service mesh, policy engine or cert-manager by hand. Their controllers ' +
    'running as service accounts do not trigger this rule.',
  /** Corpus line 54 (Panther test), with auditID, stage and requestURI added. */
  example: {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'RequestResponse',
    auditID: '2c4e6a8c-0e2a-4c6e-8a0c-2e4a6c8e0a2c',
    stage: 'ResponseComplete',
    requestURI: '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations',
    verb: 'create',
    user: { username: 'admin@example.com' },
    userAgent: 'kubectl/v1.28.0',
    objectRef: {
      resource: 'mutatingwebhookconfigurations',
      name: 'custom-mutator',
      apiGroup: 'admissionregistration.k8s.io',
      apiVersion: 'v1',
    },
    responseStatus: { code: 201 },
    requestObject: {
      kind: 'MutatingWebhookConfiguration',
      metadata: { name: 'custom-mutator' },
      webhooks: [
        {
          name: 'mutate.example.com',
          clientConfig: { url: 'https://webhook.example.com/mutate' },
          rules: [
            { operations: ['CREATE', 'UPDATE'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*'] },
          ],
        },
      ],
    },
  },
  match(event) {
    if (!isRequestOn(event, VERBS, WEBHOOK_RESOURCES) || !inAdmissionGroup(event)) return null;
    if (!isSuccess(event) || !isNonSystemCaller(event)) return null;
    return {
      summary: sentence`${actor(event)} ${pastTense(event.verb)} ${describeTarget(event)}.`,
      evidence: webhookEvidence(event),
      workload: targetWorkload(event),
    };
  },
};
