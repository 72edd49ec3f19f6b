/**
 * Building blocks for the `example` events of rules KD-001 … KD-037. The values come from the
 * fixtures in test/fixtures (eks-audit-*.json: an EKS IAM-mapped user, kubectl user agent, the
 * kube-apiserver's authorization annotations) and from corpus lines; each rule names its source.
 */
import type { AuditEvent, AuditUser } from '../audit-event.ts';

/** The IAM-mapped human user of the eks-audit-*.json fixtures. */
export const EKS_ADMIN_USER: AuditUser = {
  username: 'kubernetes-admin',
  uid: 'aws-iam-authenticator:111122223333:AROAEXAMPLEROLEID',
  groups: ['system:masters', 'system:authenticated'],
  extra: {
    accessKeyId: ['ASIAEXAMPLEKEYID0001'],
    arn: ['arn:aws:sts::111122223333:assumed-role/DevOpsRole/jdoe'],
    canonicalArn: ['arn:aws:iam::111122223333:role/DevOpsRole'],
    principalId: ['AROAEXAMPLEROLEID'],
    sessionName: ['jdoe'],
    'sigs.k8s.io/aws-iam-authenticator/principalId': ['AROAEXAMPLEROLEID'],
  },
};

/** The kube-controller-manager's ReplicaSet controller, which creates the pods of Deployments. */
export const REPLICASET_CONTROLLER: AuditUser = {
  username: 'system:serviceaccount:kube-system:replicaset-controller',
  uid: 'a2e7b8b3-d85f-11e8-88b6-080027728ac4',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'],
};

type ExampleFields = Omit<AuditEvent, 'kind' | 'apiVersion'> &
  Partial<Pick<AuditEvent, 'kind' | 'apiVersion'>>;

/** An `audit.k8s.io/v1` Event as kube-apiserver writes it on EKS, with the given fields. */
export function exampleEvent(fields: ExampleFields): AuditEvent {
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'RequestResponse',
    stage: 'ResponseComplete',
    user: EKS_ADMIN_USER,
    sourceIPs: ['203.0.113.45'],
    userAgent: 'kubectl/v1.28.4 (linux/amd64) kubernetes/bae2c62',
    requestReceivedTimestamp: '2024-05-15T14:09:12.572676Z',
    stageTimestamp: '2024-05-15T14:09:12.581541Z',
    annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
    ...fields,
  };
}

export interface ExamplePod {
  auditID: string;
  namespace: string;
  metadata: Record<string, unknown>;
  spec: Record<string, unknown>;
  user?: AuditUser;
}

/** A successful `create pods` (201) with the given pod metadata and spec. */
export function examplePodCreate(pod: ExamplePod): AuditEvent {
  return exampleEvent({
    auditID: pod.auditID,
    requestURI: `/api/v1/namespaces/${pod.namespace}/pods`,
    verb: 'create',
    user: pod.user ?? EKS_ADMIN_USER,
    objectRef: { resource: 'pods', namespace: pod.namespace, apiVersion: 'v1' },
    responseStatus: { code: 201 },
    requestObject: { kind: 'Pod', apiVersion: 'v1', metadata: pod.metadata, spec: pod.spec },
  });
}

/** Metadata of a pod created by a Deployment's ReplicaSet (falco create_nginx_pod_* traces). */
export function replicaSetPodMetadata(replicaSet: string): Record<string, unknown> {
  return {
    generateName: `${replicaSet}-`,
    creationTimestamp: null,
    labels: { app: 'nginx' },
    ownerReferences: [
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        name: replicaSet,
        uid: '8c800470-d85f-11e8-88b6-080027728ac4',
        controller: true,
        blockOwnerDeletion: true,
      },
    ],
  };
}

export interface ExampleStream {
  auditID: string;
  namespace: string;
  pod: string;
  subresource: 'exec' | 'attach' | 'portforward';
  /** The query string after `?`, exactly as kubectl sends it (URL-encoded). */
  query: string;
  /** `create` for SPDY clients (kubectl < 1.30), `get` for WebSocket clients. @default 'create' */
  verb?: string;
}

/** A streaming pod subresource request as logged at ResponseStarted with code 101 (eks-audit-exec-pod-create). */
export function exampleStream(stream: ExampleStream): AuditEvent {
  const query = stream.query === '' ? '' : `?${stream.query}`;
  return exampleEvent({
    level: 'Request',
    auditID: stream.auditID,
    stage: 'ResponseStarted',
    requestURI: `/api/v1/namespaces/${stream.namespace}/pods/${stream.pod}/${stream.subresource}${query}`,
    verb: stream.verb ?? 'create',
    objectRef: {
      resource: 'pods',
      namespace: stream.namespace,
      name: stream.pod,
      apiVersion: 'v1',
      subresource: stream.subresource,
    },
    responseStatus: { code: 101 },
  });
}
