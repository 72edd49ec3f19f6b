import { literal, sentence } from '../../model/sentence.ts';
import {
  asArray,
  asStringArray,
  getPath,
  isRecord,
  isRequestOn,
  isSuccess,
  subresource,
  username,
} from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import { exampleEvent } from './shared-workload-examples.ts';
import { nameOrUnnamed, targetName } from './shared-workload-objects.ts';
import { actorOf } from './shared-workload-pod.ts';
import { isControlPlaneIdentity } from './shared-workload-principals.ts';

const CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';

function approvalVerb(request: unknown): string {
  const conditions = asArray(getPath(request, 'status', 'conditions')).filter(isRecord);
  if (conditions.some((c) => c.type === 'Approved')) return 'approved';
  if (conditions.some((c) => c.type === 'Denied')) return 'denied';
  return 'changed the approval of';
}

export const kd037ClientCsr: AuditRule = {
  id: 'KD-037',
  title: 'Client CSR created or approved by non-system principal',
  severity: 'high',
  mitre: ['T1098', 'T1649'],
  core: true,
  resources: ['certificatesigningrequests'],
  trigger:
    'verb in {create, update, patch} on `certificatesigningrequests` (incl. subresource `approval`), success, ' +
    'user not `system:kube-controller-manager`, `system:kube-scheduler`, `system:node:*`, ' +
    '`system:serviceaccount:kube-system:*` or `eks:*` (other service accounts do trigger); ' +
    '`requestObject.spec.signerName == kubernetes.io/kube-apiserver-client` or usages contain `client auth`',
  whatHappened:
    'Someone asked the cluster to sign (or approved) a client certificate that authenticates to the API server.',
  whyItMatters:
    'A signed client certificate is a credential with the identity and groups written in it (even ' +
    'system:masters on some setups), valid until it expires and not revocable.',
  firstResponse:
    'Read the request’s subject and groups. If unexpected, deny or delete the CSR; if it was already ' +
    'issued, remove RBAC for that identity and plan a CA rotation if it is privileged.',
  falsePositives: 'Tools that onboard users with client certificates (rare on EKS, which uses IAM).',
  // Panther k8s_client_certificate_created / Stratus create-client-certificate (corpus line 57).
  example: exampleEvent({
    auditID: 'f9a0b1c2-0037-4d3e-8f5a-6b7c8d9e0f1a',
    requestURI: '/apis/certificates.k8s.io/v1/certificatesigningrequests',
    verb: 'create',
    objectRef: {
      resource: 'certificatesigningrequests',
      name: 'malicious-csr',
      apiGroup: 'certificates.k8s.io',
      apiVersion: 'v1',
    },
    responseStatus: { code: 201 },
    requestObject: {
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
      metadata: { name: 'malicious-csr' },
      spec: {
        groups: ['system:authenticated'],
        request: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0=',
        signerName: CLIENT_SIGNER,
        usages: ['client auth'],
      },
    },
  }),
  match(event) {
    if (!isRequestOn(event, ['create', 'update', 'patch'], ['certificatesigningrequests'])) return null;
    const sub = subresource(event);
    if ((sub !== '' && sub !== 'approval') || !isSuccess(event)) return null;
    if (isControlPlaneIdentity(username(event))) return null;
    const signer = getPath(event.requestObject, 'spec', 'signerName');
    const usages = asStringArray(getPath(event.requestObject, 'spec', 'usages'));
    if (signer !== CLIENT_SIGNER && !usages.includes('client auth')) return null;
    const name = targetName(event);
    const action =
      sub === 'approval'
        ? approvalVerb(event.requestObject)
        : event.verb === 'create'
          ? 'created'
          : 'modified';
    const evidence: Record<string, string> = { csr: name ?? '(unnamed)', usages: usages.join(', ') };
    if (typeof signer === 'string') evidence.signerName = signer;
    return {
      summary: sentence`${actorOf(event)} ${literal(action)} client certificate signing request ${nameOrUnnamed(name)}${typeof signer === 'string' ? sentence` (signer ${signer})` : literal('')}.`,
      evidence,
    };
  },
};
