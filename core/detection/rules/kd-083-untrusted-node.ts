import { literal, sentence } from '../../model/sentence.ts';
import { isRequestOn, isSuccess, statusCode } from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import { actor, matchesNameList, targetName } from './shared-rbac-objects.ts';

export const kd083UntrustedNode: AuditRule = {
  id: 'KD-083',
  title: 'Node object created (untrusted node join)',
  severity: 'medium',
  mitre: ['T1078'],
  core: false,
  resources: ['nodes'],
  trigger:
    '`create` `nodes` by non-allow-listed node name (config `detection.allowedNodes`, exact or `prefix*`; ' +
    'inactive when not configured); success → high, failure → medium',
  whatHappened: 'A node that is not on the configured allow-list registered with the cluster (or tried to).',
  whyItMatters:
    'A rogue node receives pods — with their secrets and service-account tokens — and can read ' +
    'everything scheduled onto it. Node credentials stolen from an instance can be used to join one.',
  firstResponse:
    'Identify the instance behind the node name and the IAM role it used. If unknown, cordon and delete ' +
    'the node, and check the aws-auth mapping / access entry for node roles.',
  falsePositives:
    'New node groups or Karpenter/Auto Mode names that do not match the allow-list patterns yet.',
  /** A kubelet registering its Node in the shape of the EKS fixtures (system:node identity, kubelet agent). */
  example: {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'RequestResponse',
    auditID: 'c1e3a5c7-e9a1-4c3e-8a5c-7e9a1c3e5a7c',
    stage: 'ResponseComplete',
    requestURI: '/api/v1/nodes',
    verb: 'create',
    user: {
      username: 'system:node:ip-172-31-99-12.us-west-2.compute.internal',
      groups: ['system:bootstrappers', 'system:nodes', 'system:authenticated'],
    },
    sourceIPs: ['172.31.99.12'],
    userAgent: 'kubelet/v1.29.0 (linux/amd64) kubernetes/3f7a50f',
    objectRef: { resource: 'nodes', name: 'ip-172-31-99-12.us-west-2.compute.internal', apiVersion: 'v1' },
    responseStatus: { code: 201 },
    requestObject: {
      kind: 'Node',
      apiVersion: 'v1',
      metadata: { name: 'ip-172-31-99-12.us-west-2.compute.internal' },
    },
    annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
  },
  match(event, context) {
    const allowed = context.config.allowedNodes;
    if (!Array.isArray(allowed) || !isRequestOn(event, ['create'], ['nodes'])) return null;
    const node = targetName(event);
    if (node !== undefined && matchesNameList(node, allowed)) return null;
    const shown = node ?? '(unnamed)';
    const joined = isSuccess(event);
    const outcome = joined
      ? 'joined the cluster'
      : `tried to join the cluster (response ${statusCode(event) ?? 'unknown'})`;
    return {
      summary: sentence`Node ${node === undefined ? literal(shown) : shown}, not in the allowed nodes, ${literal(outcome)}; registered by ${actor(event)}.`,
      evidence: { nodeName: shown, outcome: joined ? 'joined' : 'failed' },
      severity: joined ? 'high' : 'medium',
      node,
      workload: `node/${shown}`,
    };
  },
};
