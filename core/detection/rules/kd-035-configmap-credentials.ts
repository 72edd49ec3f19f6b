import { joinSentence, literal, sentence } from '../../model/sentence.ts';
import { type AuditEvent, asArray, asString, isRecord, isRequestOn, namespaceOf } from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import { exampleEvent } from './shared-workload-examples.ts';
import { inNamespace, nameOrUnnamed, pastTense, targetName } from './shared-workload-objects.ts';
import { actorOf } from './shared-workload-pod.ts';

/** Falco's contains_private_credentials markers, matched case-sensitively as Falco does. */
export const CREDENTIAL_MARKERS: readonly string[] = [
  'aws_access_key_id',
  'aws-access-key-id',
  'aws_s3_access_key_id',
  'aws-s3-access-key-id',
  'password',
  'passphrase',
];

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

/**
 * The ConfigMap `data` entries a request writes, as [key, value text]: `requestObject.data` for
 * create/update/merge patches, and the `/data…` operations of a JSON patch (an array body).
 */
function writtenData(event: AuditEvent): [string, string][] {
  const body = event.requestObject;
  if (Array.isArray(body)) {
    return asArray(body)
      .filter(isRecord)
      .map((op): [string, string] => [asString(op.path) ?? '', text(op.value)])
      .filter(([path]) => path === '/data' || path.startsWith('/data/'));
  }
  const data = isRecord(body) ? body.data : undefined;
  return isRecord(data)
    ? Object.entries(data).map(([key, value]): [string, string] => [key, text(value)])
    : [];
}

export const kd035ConfigMapCredentials: AuditRule = {
  id: 'KD-035',
  title: 'ConfigMap contains credentials',
  severity: 'medium',
  mitre: ['T1552.001'],
  core: true,
  resources: ['configmaps'],
  trigger:
    'verb in {create, update, patch} on `configmaps`, `requestObject` data contains (case-sensitive, Falco ' +
    'semantics) `aws_access_key_id`, `aws-access-key-id`, `aws_s3_access_key_id`, `aws-s3-access-key-id`, ' +
    '`password`, `passphrase`; needs a Request-level event (Metadata-level events carry no data)',
  whatHappened: 'A ConfigMap was written with content that looks like credentials (AWS keys, passwords).',
  whyItMatters:
    'ConfigMaps are not secret: anyone who can read them in the namespace (and every pod that mounts them) ' +
    'sees the credential, and they end up in logs, backups and Git.',
  firstResponse:
    'Rotate the credential, then move it into a Secret (or AWS Secrets Manager) and remove it from the ' +
    'ConfigMap and its source.',
  falsePositives: 'Keys that only mention a password (e.g. password_min_length) rather than holding one.',
  // falcosecurity/falco test/trace_files/k8s_audit/create_configmap_private_creds (corpus line 12).
  example: exampleEvent({
    auditID: '9a2bb12c-b9f7-4d34-809c-671e8c7e1e06',
    requestURI: '/api/v1/namespaces/default/configmaps',
    verb: 'create',
    objectRef: { resource: 'configmaps', namespace: 'default', name: 'my-config', apiVersion: 'v1' },
    responseStatus: { code: 201 },
    requestObject: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'my-config', namespace: 'default' },
      data: {
        'access.properties': 'aws_access_key_id = MY-ID\naws_secret_access_key = MY-KEY\n',
        'ui.properties': 'color.good=purple\ncolor.bad=yellow\nallow.textmode=true\n',
      },
    },
  }),
  match(event) {
    if (!isRequestOn(event, ['create', 'update', 'patch'], ['configmaps'])) return null;
    const hits = writtenData(event)
      .map(([key, value]) => ({
        key,
        markers: CREDENTIAL_MARKERS.filter((m) => key.includes(m) || value.includes(m)),
      }))
      .filter((hit) => hit.markers.length > 0);
    if (hits.length === 0) return null;
    const name = targetName(event);
    const namespace = namespaceOf(event);
    const markers = [...new Set(hits.flatMap((hit) => hit.markers))];
    const keys = hits.map((hit) => hit.key);
    // Evidence names the keys and markers only: the values are the credentials.
    return {
      // The markers are kubeguard's own list; the keys come from the request.
      summary: sentence`${actorOf(event)} ${pastTense(event.verb)} ConfigMap ${nameOrUnnamed(name)}${inNamespace(namespace)} with credential-like content (${literal(markers.join(', '))}) in ${joinSentence(keys, ', ')}.`,
      namespace,
      evidence: { configMap: name ?? '', keys: keys.join(', '), markers: markers.join(', ') },
    };
  },
};
