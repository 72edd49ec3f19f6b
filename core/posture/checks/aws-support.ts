import type { CheckMetadata, CheckResult } from '../check.ts';
import { dig, type Json, list, record } from '../pod-templates.ts';
import { makeResult, type Subject, skipResult } from '../results.ts';
import type { ClusterSnapshot } from '../snapshot.ts';

/**
 * Reading the AWS SDK v3 response objects kept in a snapshot (see ../snapshot.ts). Values are typed
 * loosely because core/ may not import the SDK: every reader checks the type of what it finds, and
 * "absent" is never read as "secure" (a 2018 DescribeCluster response has no endpoint flags at all).
 */

export const EKS_CLUSTER_KIND = 'EKSCluster';

/** DescribeCluster `cluster`, when collected. */
export function eksCluster(snapshot: ClusterSnapshot): Json | undefined {
  return record(snapshot.aws?.cluster);
}

export function clusterName(cluster: Json, snapshot: ClusterSnapshot): string {
  return typeof cluster.name === 'string' ? cluster.name : snapshot.name;
}

export function eksClusterSubject(cluster: Json, snapshot: ClusterSnapshot): Subject {
  return { ref: { kind: EKS_CLUSTER_KIND, name: clusterName(cluster, snapshot) } };
}

/** The region of an ARN (`arn:aws:eks:us-east-2:…`), when it is one. */
export function regionOfArn(arn: unknown): string | undefined {
  if (typeof arn !== 'string') return undefined;
  const parts = arn.split(':');
  return parts.length >= 6 && parts[0] === 'arn' && parts[3] !== '' ? parts[3] : undefined;
}

/** Milliseconds since the epoch of an SDK timestamp: a `Date`, an ISO string or epoch seconds. */
export function timeOf(value: unknown): number | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
  if (typeof value === 'string') {
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return value * 1000;
  return undefined;
}

/** Milliseconds since the epoch as an ISO date (YYYY-MM-DD) for messages. */
export function isoDay(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

/** An SDK timestamp as an ISO date (YYYY-MM-DD) for messages. */
export function dayOf(value: unknown): string {
  const time = timeOf(value);
  return time === undefined ? String(value) : isoDay(time);
}

export const DAY_MS = 24 * 60 * 60 * 1000;

/** "now" of an audit: the time its snapshot was taken. */
export function snapshotTime(snapshot: ClusterSnapshot): number | undefined {
  return timeOf(snapshot.takenAt);
}

export function strings(value: unknown): string[] {
  return list(value).filter((item): item is string => typeof item === 'string');
}

/**
 * A check on DescribeCluster: one result on the EKS cluster, or one skip when the cluster was not
 * described (an offline audit marks `eks:cluster` unavailable and the engine skips before this).
 */
export interface Outcome {
  pass: boolean;
  message: string;
  evidence?: Record<string, string>;
}

export function evaluateCluster(
  check: CheckMetadata,
  snapshot: ClusterSnapshot,
  inspect: (cluster: Json) => Outcome,
): CheckResult[] {
  const cluster = eksCluster(snapshot);
  if (cluster === undefined) return [skipResult(check, snapshot, 'DescribeCluster was not collected')];
  const outcome = inspect(cluster);
  return [
    makeResult(
      check,
      outcome.pass ? 'pass' : 'fail',
      eksClusterSubject(cluster, snapshot),
      outcome.message,
      outcome.evidence,
    ),
  ];
}

/** EKS add-on by name (DescribeAddon `addon`). */
export function addonNamed(snapshot: ClusterSnapshot, name: string): Json | undefined {
  return (snapshot.aws?.addons ?? []).map(record).find((addon) => addon?.addonName === name);
}

export { dig, type Json, list, record };
