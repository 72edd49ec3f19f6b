/**
 * kubeguard's own metrics: the names the functions publish (CloudWatch embedded metric format,
 * through Powertools Metrics in lambdas/shared) and the alarms and dashboard (infra) read. One list,
 * so a renamed metric cannot leave an alarm watching nothing.
 *
 * Every metric is in the METRICS_NAMESPACE namespace with the dimension `service` set to the
 * publishing function's service name (`kubeguard-<function>`, e.g. `kubeguard-delivery`), plus the
 * extra dimension its entry names.
 */
export const METRICS_NAMESPACE = 'Kubeguard';

export const METRICS = {
  /** Detections a rule (or a GuardDuty finding type) produced; dimension `Rule` (KD-001, …). Count. */
  detections: { name: 'Detections', unit: 'Count', dimension: 'Rule' },
  /** Findings written to the store (new or updated). Count. */
  findingsRecorded: { name: 'FindingsRecorded', unit: 'Count' },
  /** Alerts waiting for delivery when the delivery function ran. Count (a gauge). */
  deliveriesPending: { name: 'DeliveriesPending', unit: 'Count' },
  /** Age of the oldest pending delivery when the delivery function ran. Seconds (a gauge; 0 when none). */
  oldestPendingDeliveryAge: { name: 'OldestPendingDeliveryAgeSeconds', unit: 'Seconds' },
  /** Slack answered 429 (rate limited). Count. */
  slackRateLimited: { name: 'SlackRateLimited', unit: 'Count' },
  /** Remediation actions run to an outcome; dimension `Action` (isolate-pod, rotate-secret, …). Count. */
  actionsRun: { name: 'ActionsRun', unit: 'Count', dimension: 'Action' },
  /** Clicks and commands refused by authorization; dimension `Action`. Count. */
  actionsDenied: { name: 'ActionsDenied', unit: 'Count', dimension: 'Action' },
  /** Audit-log events received from a cluster; dimension `Cluster` (the configured name). Count. */
  auditLogEvents: { name: 'AuditLogEvents', unit: 'Count', dimension: 'Cluster' },
} as const;

export type MetricName = (typeof METRICS)[keyof typeof METRICS]['name'];

/** The service name of a function (`delivery` → `kubeguard-delivery`): logs and metrics use it. */
export function serviceName(functionName: string): string {
  return `kubeguard-${functionName}`;
}
