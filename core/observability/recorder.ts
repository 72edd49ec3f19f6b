import type { AuditTrailStore } from '../audit-trail/ports.ts';
import type { PlanStore } from '../chatops/plan-store.ts';
import type { FindingStore } from '../findings/ports.ts';
import { METRICS } from './metrics.ts';

type MetricSpec = (typeof METRICS)[keyof typeof METRICS];
/** The metrics that carry a dimension of their own (Rule, Action, Cluster). */
export type DimensionedMetric = Extract<MetricSpec, { dimension: string }>;
export type PlainMetric = Exclude<MetricSpec, DimensionedMetric>;

/**
 * Where kubeguard's own metrics go: CloudWatch embedded metric format in Lambda
 * (adapters/observability/emf-metrics.ts), a recording fake in tests, nowhere locally. Values add
 * up within an invocation and are written when it ends.
 */
export interface MetricsRecorder {
  /** Adds `value` to a metric with its own dimension, for the dimension value given (`KD-001`, a cluster …). */
  add(metric: DimensionedMetric, value: number, dimension: string): void;
  add(metric: PlainMetric, value: number): void;
}

/** Records nothing: the default wherever no function publishes metrics (the CLI, the sandbox). */
export const noMetrics: MetricsRecorder = { add: () => undefined };

/**
 * The audit trail, counting each denial it stores as ActionsDenied (dimension Action: the request
 * kind, `ack`, `execute` …). Every refusal by authorization — the listener's and the worker's — is
 * written to the trail, so counting there counts each once.
 */
export function countingDenials(trail: AuditTrailStore, metrics: MetricsRecorder): AuditTrailStore {
  return {
    append: async (record) => {
      await trail.append(record);
      if (record.type === 'denial') metrics.add(METRICS.actionsDenied, 1, record.kind);
    },
    byFinding: (fingerprint, limit) => trail.byFinding(fingerprint, limit),
    byTime: (query) => trail.byTime(query),
  };
}

/**
 * The findings store, counting FindingsRecorded: each finding an occurrence was written to (created
 * or updated). A redelivered event, which the store counts once, writes nothing and counts nothing.
 */
export function countingFindingWrites(store: FindingStore, metrics: MetricsRecorder): FindingStore {
  return {
    recordOccurrences: async (fingerprint, detections, update) => {
      const result = await store.recordOccurrences(fingerprint, detections, update);
      if (result.added.length > 0) metrics.add(METRICS.findingsRecorded, 1);
      return result;
    },
    get: (fingerprint) => store.get(fingerprint),
    save: (finding) => store.save(finding),
    listPendingDeliveries: (dueBy, limit) => store.listPendingDeliveries(dueBy, limit),
  };
}

/**
 * The remediation plans, counting ActionsRun (dimension Action: `isolate-pod`, `rotate-secret` …)
 * when a run's outcome — done, failed or skipped — is stored: once per run, since a redelivered
 * confirmation gets the stored outcome and never runs the plan again.
 */
export function countingActionOutcomes(plans: PlanStore, metrics: MetricsRecorder): PlanStore {
  return {
    putIfAbsent: (plan) => plans.putIfAbsent(plan),
    get: (requestId) => plans.get(requestId),
    claimExecution: (planRequestId, execution) => plans.claimExecution(planRequestId, execution),
    requestApproval: (planRequestId, approval) => plans.requestApproval(planRequestId, approval),
    recordApprovalMessage: (planRequestId, approvalRequestId, message) =>
      plans.recordApprovalMessage(planRequestId, approvalRequestId, message),
    decideApproval: (planRequestId, decision) => plans.decideApproval(planRequestId, decision),
    recordOutcome: async (planRequestId, executionRequestId, outcome) => {
      await plans.recordOutcome(planRequestId, executionRequestId, outcome);
      metrics.add(METRICS.actionsRun, 1, outcome.action);
    },
  };
}
