/**
 * kubeguard's own alarms: how each is named and where its runbook is. The CDK app names every alarm
 * `<prefix>/<slug>[/<subject>]` (e.g. `Kubeguard/errors/delivery`, `Kubeguard/audit-log-silence/prod`),
 * and the ops notifier reads the slug back to link the runbook, so one list serves both.
 *
 * `/` separates the parts: the prefix is a stack-name prefix, subjects are function names and EKS
 * cluster names, none of which can contain one, and CloudWatch accepts it in alarm names.
 */
export const RUNBOOK_DOCUMENT = 'docs/operations.md';

export interface AlarmKind {
  /** The second part of the alarm's name. */
  readonly slug: string;
  /** What the subject part names, if the alarm has one per subject. */
  readonly subject?: 'function' | 'cluster';
  /** The heading anchor of its runbook in docs/operations.md. */
  readonly runbook: string;
}

export const ALARM_KINDS = {
  /** A function invocation failed. */
  functionErrors: { slug: 'errors', subject: 'function', runbook: 'function-errors' },
  /** Lambda refused to run a function (concurrency). */
  functionThrottles: { slug: 'throttles', subject: 'function', runbook: 'function-throttles' },
  /** Events or invocations that failed for good wait in the dead-letter queue. */
  deadLetters: { slug: 'dead-letters', runbook: 'dead-letter-queue-depth' },
  /** Slack requests the action worker failed three times. */
  actionDeadLetters: { slug: 'action-dead-letters', runbook: 'action-dead-letter-queue-depth' },
  /** A Slack request waited too long for the action worker. */
  oldestSlackRequest: { slug: 'oldest-slack-request', runbook: 'oldest-slack-request' },
  /** The Slack endpoint answered 5xx. */
  slackEndpointErrors: { slug: 'slack-endpoint-5xx', runbook: 'slack-endpoint-5xx' },
  /** An alert has waited for delivery for more than 5 minutes, or delivery stopped reporting. */
  oldestPendingDelivery: { slug: 'oldest-pending-delivery', runbook: 'oldest-pending-delivery' },
  /** A configured cluster sent no audit-log event for 30 minutes. */
  auditLogSilence: { slug: 'audit-log-silence', subject: 'cluster', runbook: 'audit-log-silence' },
} as const satisfies Record<string, AlarmKind>;

export type AlarmKindName = keyof typeof ALARM_KINDS;

/** `<prefix>/<slug>[/<subject>]`. */
export function alarmName(prefix: string, kind: AlarmKindName, subject?: string): string {
  const parts = [prefix, ALARM_KINDS[kind].slug];
  if (subject !== undefined) parts.push(subject);
  return parts.join('/');
}

export interface NamedAlarm {
  readonly kind: AlarmKindName;
  /** The function or cluster the alarm watches, when it has one. */
  readonly subject?: string;
  /** `docs/operations.md#<anchor>`. */
  readonly runbook: string;
}

/** What a kubeguard alarm name says; undefined for a name kubeguard did not give. */
export function parseAlarmName(name: string): NamedAlarm | undefined {
  const [prefix, slug, subject, ...rest] = name.split('/');
  if (prefix === undefined || prefix === '' || rest.length > 0) return undefined;
  for (const [kind, entry] of Object.entries(ALARM_KINDS) as [AlarmKindName, AlarmKind][]) {
    if (entry.slug !== slug) continue;
    const hasSubject = entry.subject !== undefined;
    if (hasSubject !== (subject !== undefined && subject !== '')) return undefined;
    return {
      kind,
      ...(subject === undefined ? {} : { subject }),
      runbook: `${RUNBOOK_DOCUMENT}#${entry.runbook}`,
    };
  }
  return undefined;
}
