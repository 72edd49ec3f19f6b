import { readAwsAuthMappings } from '../../model/aws-auth.ts';
import { sentence } from '../../model/sentence.ts';
import { type AuditEvent, getPath, isRecord, isRequestOn, isSuccess, username } from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import { actor, listOf, pastTense, targetName, targetNamespace } from './shared-rbac-objects.ts';

const VERBS = ['create', 'update', 'patch', 'delete'];
/** EKS's own identity that re-encrypts ConfigMaps during KMS migrations. */
const EXCLUDED_USERS = ['eks:kms-storage-migrator'];
function awsAuthEvidence(event: AuditEvent): Record<string, string> {
  const evidence: Record<string, string> = { configMap: 'kube-system/aws-auth' };
  const data = getPath(event.requestObject, 'data');
  if (isRecord(data)) evidence.dataKeys = listOf(Object.keys(data));
  const { mappings, errors } = readAwsAuthMappings(data);
  // The ARNs the requested aws-auth maps into system:masters (full cluster admin).
  const masters = mappings.filter((m) => m.groups.includes('system:masters')).map((m) => m.arn);
  if (masters.length > 0) evidence.systemMastersArns = listOf(masters);
  // A mapping that cannot be read may hide a system:masters entry: say so rather than stay silent.
  if (errors.length > 0) evidence.unreadMappings = listOf(errors.map((e) => `${e.key} (${e.message})`));
  return evidence;
}

export const kd051AwsAuthModified: AuditRule = {
  id: 'KD-051',
  title: 'EKS aws-auth ConfigMap modified',
  severity: 'high',
  mitre: ['T1098.006'],
  core: true,
  resources: ['configmaps'],
  trigger:
    'verb ∈ {create, update, patch, delete} on `configmaps`, ns `kube-system`, name `aws-auth`, success; ' +
    'exclude `eks:kms-storage-migrator`',
  whatHappened:
    'The kube-system/aws-auth ConfigMap, which maps AWS IAM roles and users to Kubernetes identities, was changed.',
  whyItMatters:
    'Whoever edits aws-auth decides which AWS principals get into the cluster and with which groups. ' +
    'Mapping an attacker-controlled IAM role to `system:masters` is a well-known EKS backdoor (Stratus ' +
    '`eks.persistence.backdoor-aws-auth-configmap`); deleting it can lock out nodes and administrators.',
  firstResponse:
    'Diff the ConfigMap against its last known-good version (`kubectl -n kube-system get cm aws-auth -o ' +
    'yaml`). Remove unknown mappings, check CloudTrail for what the mapped roles did, and consider ' +
    'moving to EKS access entries.',
  falsePositives:
    'Node group creation by eksctl or Terraform, and administrators adding team roles. The caller and ' +
    'the new ARNs in the evidence tell them apart.',
  /** The EKS fixture eks-audit-clusterrolebinding-cluster-admin.json caller, updating kube-system/aws-auth. */
  example: {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'RequestResponse',
    auditID: '5a8c1e3f-7b9d-4c2e-a4f6-8b0d2c4e6a8c',
    stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/kube-system/configmaps/aws-auth',
    verb: 'update',
    user: {
      username: 'kubernetes-admin',
      uid: 'aws-iam-authenticator:111122223333:AROAEXAMPLEROLEID',
      groups: ['system:masters', 'system:authenticated'],
    },
    sourceIPs: ['203.0.113.45'],
    userAgent: 'kubectl/v1.28.4 (linux/amd64) kubernetes/bae2c62',
    objectRef: { resource: 'configmaps', namespace: 'kube-system', name: 'aws-auth', apiVersion: 'v1' },
    responseStatus: { code: 200 },
    requestObject: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'aws-auth', namespace: 'kube-system' },
      data: {
        mapRoles:
          '- rolearn: arn:aws:iam::111122223333:role/eks-node-role\n  username: system:node:{{EC2PrivateDNSName}}\n' +
          '  groups:\n    - system:bootstrappers\n    - system:nodes\n' +
          '- rolearn: arn:aws:iam::444455556666:role/backdoor\n  username: backdoor\n  groups:\n    - system:masters\n',
      },
    },
    requestReceivedTimestamp: '2024-05-15T14:40:02.118340Z',
    stageTimestamp: '2024-05-15T14:40:02.124911Z',
    annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
  },
  match(event) {
    if (!isRequestOn(event, VERBS, ['configmaps']) || !isSuccess(event)) return null;
    if (targetNamespace(event) !== 'kube-system' || targetName(event) !== 'aws-auth') return null;
    if (EXCLUDED_USERS.includes(username(event))) return null;
    return {
      summary: sentence`${actor(event)} ${pastTense(event.verb)} the EKS aws-auth ConfigMap in kube-system.`,
      evidence: awsAuthEvidence(event),
      namespace: 'kube-system',
      workload: 'configmap/aws-auth',
    };
  },
};
