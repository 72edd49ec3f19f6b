import type { AuditEvent } from '../../core/detection/audit-event.ts';
import { DEFAULT_DETECTION_CONFIG } from '../../core/detection/config.ts';
import { evaluateAuditEvent } from '../../core/detection/engine.ts';
import type { Actor } from '../../core/model/actor.ts';
import type { Detection } from '../../core/model/detection.ts';
import { fixtureWith } from './fixtures.ts';

/**
 * Audit events for incident tests, derived from the real fixtures with overrides, and the
 * detections every rule of the catalog makes of them (what the audit-logs function stores).
 */

/** The IAM identity the fixtures' `user.extra` names (DevOpsRole session `jdoe`). */
export const JDOE: Actor = {
  arn: 'arn:aws:sts::111122223333:assumed-role/DevOpsRole/jdoe',
  sessionName: 'jdoe',
  accessKeyId: 'ASIAEXAMPLEKEYID0001',
};

/** Someone else mapped to the same `kubernetes-admin` username. */
export const ASMITH: Actor = {
  arn: 'arn:aws:sts::111122223333:assumed-role/DevOpsRole/asmith',
  sessionName: 'asmith',
  accessKeyId: 'ASIAEXAMPLEKEYID0002',
};

function extraOf(actor: Actor): Record<string, string[]> {
  const extra: Record<string, string[]> = {};
  if (actor.arn !== undefined) extra.arn = [actor.arn];
  if (actor.sessionName !== undefined) extra.sessionName = [actor.sessionName];
  if (actor.accessKeyId !== undefined) extra.accessKeyId = [actor.accessKeyId];
  return extra;
}

export interface ExecOptions {
  namespace?: string;
  pod?: string;
  command?: string;
  auditId?: string;
  /** requestReceivedTimestamp and stageTimestamp. */
  at?: string;
  actor?: Actor;
}

/** `kubectl exec -it <pod> -- <command>` (eks-audit-exec-pod-create.json), by default into kube-system. */
export function execEvent(options: ExecOptions = {}): AuditEvent {
  const namespace = options.namespace ?? 'kube-system';
  const pod = options.pod ?? 'aws-node-7xk2p';
  const command = options.command ?? 'sh';
  const at = options.at ?? '2024-05-14T09:05:00.000000Z';
  const actor = options.actor ?? JDOE;
  return fixtureWith<AuditEvent>('eks-audit-exec-pod-create.json', {
    auditID: options.auditId ?? 'ca1ed9f4-7bf4-4c85-81a8-1b11253d1ba6',
    requestURI: `/api/v1/namespaces/${namespace}/pods/${pod}/exec?command=${command}&container=aws-node&stdin=true&stdout=true&tty=true`,
    objectRef: { namespace, name: pod },
    user: { extra: extraOf(actor) },
    requestReceivedTimestamp: at,
    stageTimestamp: at,
  });
}

export interface BindingOptions {
  /** The ClusterRole bound. @default 'cluster-admin' (the fixture's) */
  role?: string;
  name?: string;
  auditId?: string;
  at?: string;
  actor?: Actor;
}

/** `kubectl create clusterrolebinding` (eks-audit-clusterrolebinding-cluster-admin.json). */
export function bindingEvent(options: BindingOptions = {}): AuditEvent {
  const role = options.role ?? 'cluster-admin';
  const name = options.name ?? 'some-reader-binding';
  const roleRef = { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role };
  const at = options.at ?? '2024-05-14T09:05:00.000000Z';
  return fixtureWith<AuditEvent>('eks-audit-clusterrolebinding-cluster-admin.json', {
    auditID: options.auditId ?? 'c97244c7-4aec-4714-946a-8204d00ecdca',
    objectRef: { name },
    user: { extra: extraOf(options.actor ?? JDOE) },
    requestObject: { metadata: { name }, roleRef },
    responseObject: { metadata: { name }, roleRef },
    requestReceivedTimestamp: at,
    stageTimestamp: at,
  });
}

/**
 * Every catalog rule's detection of the event on `cluster`, with the IAM identity of the event's
 * `user.extra` as the detection's actor (the audit-logs path names it; set here so these tests do
 * not depend on which module reads it).
 */
export function auditDetections(event: AuditEvent, cluster = 'prod-cluster'): Detection[] {
  const extra = (event.user as { extra?: Record<string, string[]> } | undefined)?.extra ?? {};
  const actor: Actor = {};
  if (extra.arn?.[0] !== undefined) actor.arn = extra.arn[0];
  if (extra.sessionName?.[0] !== undefined) actor.sessionName = extra.sessionName[0];
  if (extra.accessKeyId?.[0] !== undefined) actor.accessKeyId = extra.accessKeyId[0];
  const { detections, ruleErrors } = evaluateAuditEvent(event, {
    cluster,
    config: DEFAULT_DETECTION_CONFIG,
    now: '2024-05-14T10:00:00.000Z',
  });
  if (ruleErrors.length > 0) throw new Error(`rules failed: ${ruleErrors.map((e) => e.ruleId).join(', ')}`);
  return detections.map((detection) => ({ ...detection, actor }));
}
