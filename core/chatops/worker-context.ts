import type { AuditTrailStore } from '../audit-trail/ports.ts';
import {
  type AuditRecord,
  type AuditRecordType,
  type AuditResult,
  auditRecordId,
  boundedRecord,
} from '../audit-trail/record.ts';
import { authorize, type Decision, type Role } from '../authz/policy.ts';
import type { KubeguardConfig } from '../config/schema.ts';
import { KubeguardError } from '../errors.ts';
import type { FindingLister, FindingStore } from '../findings/ports.ts';
import type { Clock, DeliveryTrigger, SlackMessenger } from '../ports.ts';
import type { AuditHistoryStore } from '../posture/history.ts';
import type { AuditWorkerPorts } from './audit-ports.ts';
import type { EvidenceWorkerPorts } from './evidence-ports.ts';
import type {
  ChatopsLog,
  DigestSubscriptions,
  DigestWorkerDeps,
  SlackHomeTabs,
  SlackReplies,
} from './ports.ts';
import type { RemediationDeps } from './remediation-runtime.ts';
import type { SlackReply } from './replies.ts';
import type { ActionKind, QueuedRequest, QueuedRequestOf } from './requests.ts';

/**
 * What the action worker's handlers share (core/chatops/worker.ts runs them through its dispatch
 * table): their dependencies, what they return, the role check and the audit-record helper. A
 * handler checks the person's role again where the request's cluster is only now known (a finding
 * read from the store), records a state change as an `action` before making it, and returns the
 * answer and the outcome, which the runner records and sends.
 */
export interface WorkerDeps {
  config: KubeguardConfig;
  findings: FindingStore & FindingLister;
  trail: AuditTrailStore;
  replies: SlackReplies;
  /** Wakes alert delivery so a status change reaches the alert message at once. */
  delivery: DeliveryTrigger;
  /** Posts a note in the alert's thread; absent = no note. */
  messenger?: SlackMessenger;
  clock: Clock;
  log: ChatopsLog;
  /** What `/k8s audit` and the audit details modal need (core/chatops/handlers/audit.ts). */
  audit?: AuditWorkerPorts;
  /** What publishing the App Home tab needs (core/chatops/handlers/home.ts). */
  home?: HomeTabDeps;
  /** Planning and running remediations (core/chatops/handlers/remediation-*.ts). */
  remediation?: RemediationDeps;
  /** `/k8s digest` and the Home's digest toggles (core/chatops/handlers/digest.ts). */
  digest?: DigestWorkerDeps;
  /** `/k8s evidence` and the monthly pack (core/chatops/handlers/evidence.ts). */
  evidence?: EvidenceWorkerPorts;
}

/** The Home tab's sources: posture history per cluster, digest subscriptions, and views.publish. */
export interface HomeTabDeps {
  history: AuditHistoryStore;
  digests: DigestSubscriptions;
  tabs: SlackHomeTabs;
}

/**
 * Deliveries of one request before the queue gives up on it (SQS maxReceiveCount, then the
 * dead-letter queue): the last one answers a transient failure instead of asking for a retry.
 * infra/constructs/action-queue.ts sets the queue's maxReceiveCount to the same number.
 */
export const ACTION_MAX_ATTEMPTS = 3;

/** Which delivery of the queue message this is. */
export interface WorkerAttempt {
  /** 1 for the first. */
  attempt: number;
  /** No redelivery follows: a transient failure is answered now instead of retried. */
  final: boolean;
}

/** What a handler did: the answer, and what the audit trail's outcome says. */
export interface HandlerOutcome {
  /** The answer to the person; absent when the handler showed its result itself (the Home tab). */
  reply?: SlackReply;
  result: AuditResult;
  detail?: string;
  cluster?: string;
  finding?: string;
  target?: string;
}

export type WorkerHandler<K extends ActionKind> = (
  request: QueuedRequestOf<K>,
  deps: WorkerDeps,
) => Promise<HandlerOutcome>;

/** The person lacks the role for the request's cluster; the runner records and explains it. */
export class AccessDeniedError extends KubeguardError {
  readonly decision: Extract<Decision, { allowed: false }>;
  readonly purpose: string;
  /** The finding the request was about, so the denial is in that finding's trail. */
  readonly finding: string | undefined;

  constructor(decision: Extract<Decision, { allowed: false }>, purpose: string, finding?: string) {
    super(
      'FORBIDDEN',
      `needs the ${decision.needed} role${decision.cluster === undefined ? '' : ` on ${decision.cluster}`} to ${purpose}`,
    );
    this.name = 'AccessDeniedError';
    this.decision = decision;
    this.purpose = purpose;
    this.finding = finding;
  }
}

/** Checks the person's role again, now that the cluster is known; throws AccessDeniedError. */
export function requireRole(
  request: QueuedRequest,
  deps: Pick<WorkerDeps, 'config'>,
  role: Role,
  cluster: string | undefined,
  purpose: string,
  /** The finding's fingerprint when the request is about one (recorded with a denial). */
  finding?: string,
): void {
  const decision = authorize(
    deps.config.authorization,
    { userId: request.actor.userId, groups: new Set(request.actor.groups) },
    { role, ...(cluster === undefined ? {} : { cluster }) },
  );
  if (!decision.allowed) throw new AccessDeniedError(decision, purpose, finding);
}

/** Writes one of the request's records (the same id on a redelivery: written once). */
export async function recordFor(
  deps: Pick<WorkerDeps, 'trail' | 'clock'>,
  request: QueuedRequest,
  type: AuditRecordType,
  fields: Partial<
    Pick<AuditRecord, 'result' | 'detail' | 'role' | 'cluster' | 'finding' | 'target' | 'plan' | 'reason'>
  >,
): Promise<void> {
  await deps.trail.append(
    boundedRecord({
      id: auditRecordId(request.requestId, type),
      requestId: request.requestId,
      type,
      at: deps.clock(),
      actor: request.actor.userId,
      ...(request.actor.teamId === undefined ? {} : { team: request.actor.teamId }),
      kind: request.kind,
      source: request.source,
      ...fields,
    }),
  );
}
