import { KubeguardError } from '../errors.ts';
import { canTransition, type FindingStatus } from '../model/finding.ts';
import type { FindingStore } from './ports.ts';
import { MAX_HISTORY, type StoredFinding } from './stored-finding.ts';

export interface StatusChange {
  fingerprint: string;
  to: FindingStatus;
  /** Slack user id or `kubeguard`. */
  actor: string;
  reason?: string;
  /** When a suppression ends (ISO-8601); see `suppressionEnded`. */
  until?: string;
  /** ISO-8601 now. */
  at: string;
}

/** The finding after a status change (pure); its message must be re-rendered to stay truthful. */
export function withStatus(finding: StoredFinding, change: StatusChange): StoredFinding {
  if (!canTransition(finding.status, change.to)) {
    throw new KubeguardError(
      'PRECONDITION_FAILED',
      `finding ${finding.fingerprint} is ${finding.status} and cannot become ${change.to}`,
      { details: { from: finding.status, to: change.to } },
    );
  }
  const entry = {
    at: change.at,
    status: change.to,
    actor: change.actor,
    ...(change.reason ? { reason: change.reason } : {}),
    ...(change.until ? { until: change.until } : {}),
  };
  return {
    ...finding,
    status: change.to,
    history: [...finding.history, entry].slice(-MAX_HISTORY),
    version: finding.version + 1,
    // A quiet finding has no message to correct: its status is stored and listed, never posted.
    delivery:
      finding.delivery.state === 'quiet'
        ? finding.delivery
        : {
            ...finding.delivery,
            state: 'pending',
            messageStale: true,
            statusStale: true,
            nextAttemptAt: change.at,
          },
  };
}

/**
 * Whether a suppressed finding's suppression is over at `now`: its latest suppression entry has an
 * `until` at or before `now` (decision D38). A suppression without an end never ends by itself.
 */
export function suppressionEnded(finding: Pick<StoredFinding, 'status' | 'history'>, now: string): boolean {
  if (finding.status !== 'suppressed') return false;
  const until = finding.history.findLast((entry) => entry.status === 'suppressed')?.until;
  return until !== undefined && Date.parse(until) <= Date.parse(now);
}

/**
 * Records a status change (acknowledged, suppressed, remediated …) with an optimistic-lock retry;
 * the caller then delivers the finding so the original Slack message says the truth.
 */
export async function changeFindingStatus(store: FindingStore, change: StatusChange): Promise<StoredFinding> {
  for (let attempt = 0; attempt < 10; attempt += 1) {
    const current = await store.get(change.fingerprint);
    if (current === undefined) {
      throw new KubeguardError(
        'NOT_FOUND',
        `no finding ${change.fingerprint}; it may have expired or never existed`,
      );
    }
    if (current.status === change.to) return current;
    const next = withStatus(current, change);
    if (await store.save(next)) return next;
  }
  throw new KubeguardError('CONFLICT', `finding ${change.fingerprint} kept changing; try again`);
}
