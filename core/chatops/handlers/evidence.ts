import { clusterNotConfigured } from '../../config/schema.ts';
import { KubeguardError } from '../../errors.ts';
import { type EvidencePeriod, FRAMEWORKS, type Framework } from '../../evidence-pack/model.ts';
import type { EvidencePackInStore } from '../../evidence-pack/ports.ts';
import { buildEvidencePackMessage, type FrameworkCounts } from '../../slack-views/evidence-pack.ts';
import { dayStartMs } from '../commands/evidence.ts';
import type { EvidenceWorkerPorts } from '../evidence-ports.ts';
import { type HandlerOutcome, requireRole, type WorkerDeps, type WorkerHandler } from '../worker-context.ts';

/**
 * `/k8s evidence` (docs/slack-bot.md) and the monthly pack (docs/evidence-packs.md): the person's
 * viewer role is checked again on every cluster the pack covers — one named, or every configured
 * one — then the pack is built, archived, stored, and the link with both SHA-256s comes back to the
 * person alone (decision D67: the link opens every record of the period, so it is not posted where
 * people without the role would see it). The monthly pack is posted to `evidence.channel`.
 */

const PURPOSE = 'build compliance evidence packs';
const DAY_MS = 24 * 60 * 60 * 1000;
/**
 * How long the monthly pack's claim holds: longer than a build (the worker's 15-minute timeout) and
 * EventBridge's redeliveries, short enough that a build whose claim could not be given back (the
 * worker may not delete claim items in AWS: it lapses) can be run again within the hour.
 */
export const MONTHLY_CLAIM_SECONDS = 60 * 60;

function portsOf(deps: WorkerDeps): EvidenceWorkerPorts {
  if (deps.evidence === undefined) {
    throw new KubeguardError('UNSUPPORTED', 'this worker is not set up to build evidence packs');
  }
  return deps.evidence;
}

/** The previous full calendar month (UTC) of `now`: [1st of last month, 1st of this month). */
export function previousMonth(now: string): EvidencePeriod {
  const at = new Date(now);
  const from = Date.UTC(at.getUTCFullYear(), at.getUTCMonth() - 1, 1);
  const to = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1);
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

/**
 * Days `from`..`to` (both included, checked by the command) as the half-open period
 * [from 00:00, the day after `to` 00:00); a period that starts after today is refused, one that
 * ends after today covers up to now only as records exist.
 */
export function periodOf(args: { from?: string; to?: string }, now: string): EvidencePeriod {
  if (args.from === undefined || args.to === undefined) return previousMonth(now);
  const today = now.slice(0, 10);
  if (dayStartMs(args.from) > dayStartMs(today)) {
    throw new KubeguardError(
      'INVALID_ARGUMENT',
      `--from ${args.from} is after today (${today}, UTC): a pack holds what has happened; start it today at the latest`,
    );
  }
  return {
    from: new Date(dayStartMs(args.from)).toISOString(),
    to: new Date(dayStartMs(args.to) + DAY_MS).toISOString(),
  };
}

interface SummaryLike {
  framework: Framework;
  controls: {
    gaps: { noEvidence: boolean; failingAtLastRun: readonly unknown[] };
    exceptions: readonly unknown[];
  }[];
}

function isSummary(value: unknown): value is SummaryLike {
  const candidate = value as Partial<SummaryLike> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    (FRAMEWORKS as readonly unknown[]).includes(candidate.framework) &&
    Array.isArray(candidate.controls) &&
    candidate.controls.every(
      (control) =>
        typeof control?.gaps?.noEvidence === 'boolean' &&
        Array.isArray(control.gaps.failingAtLastRun) &&
        Array.isArray(control.exceptions),
    )
  );
}

/**
 * Per framework, its controls counted from the pack's own summaries (`summary/<framework>.json`,
 * core/evidence-pack/build.ts, as the store read them back): with evidence, with a gap, with an
 * exception. In the order of `frameworks`; a framework without a well-formed summary is left out.
 */
export function frameworkCounts(
  summaries: readonly unknown[],
  frameworks: readonly Framework[],
): FrameworkCounts[] {
  const found = new Map<Framework, SummaryLike>();
  for (const summary of summaries) if (isSummary(summary)) found.set(summary.framework, summary);
  return frameworks.flatMap((framework) => {
    const summary = found.get(framework);
    if (summary === undefined) return [];
    const { controls } = summary;
    return [
      {
        framework,
        controls: controls.length,
        withEvidence: controls.filter((c) => !c.gaps.noEvidence).length,
        gaps: controls.filter((c) => c.gaps.noEvidence || c.gaps.failingAtLastRun.length > 0).length,
        exceptions: controls.filter((c) => c.exceptions.length > 0).length,
      },
    ];
  });
}

interface Built extends EvidencePackInStore {
  counts: FrameworkCounts[];
}

async function buildAndStore(
  ports: EvidenceWorkerPorts,
  clusters: readonly string[],
  period: EvidencePeriod,
  frameworks: readonly Framework[],
  requestedBy: string,
  generatedAt: string,
): Promise<Built> {
  const written = await ports.store.write(
    { clusters, period, frameworks, requestedBy, generatedAt },
    ports.sources,
  );
  return { ...written, counts: frameworkCounts(written.summaries, frameworks) };
}

function detailOf(built: Built): string {
  return `pack ${built.stored.packId}: archive sha256 ${built.stored.archiveSha256}, manifest sha256 ${built.stored.manifestSha256}, ${built.files} files, ${built.stored.location}${built.stored.retainUntil === undefined ? '' : `, retained until ${built.stored.retainUntil}`}`;
}

export const evidenceHandler: WorkerHandler<'evidence'> = async (request, deps) => {
  const { cluster, frameworks } = request.args;
  const configured = deps.config.clusters.map((c) => c.name);
  if (cluster !== undefined && !configured.includes(cluster))
    throw clusterNotConfigured(cluster, deps.config);
  const clusters = cluster === undefined ? configured : [cluster];
  for (const name of clusters) requireRole(request, deps, 'viewer', name, PURPOSE);
  const period = periodOf(request.args, deps.clock());
  const built = await buildAndStore(
    portsOf(deps),
    clusters,
    period,
    frameworks,
    `slack:${request.actor.userId}`,
    deps.clock(),
  );
  const message = buildEvidencePackMessage({
    period,
    clusters,
    frameworks: built.counts,
    stored: built.stored,
    requestedBy: { userId: request.actor.userId },
  });
  const outcome: HandlerOutcome = {
    reply: { text: message.text, blocks: message.blocks },
    result: 'done',
    target: `evidence pack of ${cluster ?? 'every cluster'}, ${period.from} to ${period.to}`,
    detail: detailOf(built),
  };
  return cluster === undefined ? outcome : { ...outcome, cluster };
};

/**
 * The monthly pack (the `MonthlyEvidencePack` schedule invokes the action worker with
 * MONTHLY_EVIDENCE_EVENT, core/chatops/evidence-ports.ts): the previous calendar month of every configured cluster, all three
 * frameworks, posted to `evidence.channel`. Off (`evidence.schedule` false) it does nothing.
 */
export async function runMonthlyEvidencePack(
  deps: WorkerDeps,
): Promise<{ result: 'skipped' | 'duplicate' } | { result: 'posted' | 'stored'; packId: string }> {
  const settings = deps.config.evidence;
  if (!settings.schedule || settings.channel === undefined) {
    deps.log.info('monthly evidence pack skipped: evidence.schedule is off');
    return { result: 'skipped' };
  }
  const now = deps.clock();
  const period = previousMonth(now);
  const clusters = deps.config.clusters.map((c) => c.name);
  // EventBridge delivers at least once: one monthly pack per month, claimed for an hour (given back
  // when the build fails and the store lets it, so invoking the worker again retries it).
  const claims = deps.audit?.claims;
  const claimKey = `evidence-month:${period.from.slice(0, 7)}`;
  if (claims !== undefined && !(await claims.claim(claimKey, Date.parse(now), MONTHLY_CLAIM_SECONDS))) {
    deps.log.info('monthly evidence pack already built for this month', { month: period.from.slice(0, 7) });
    return { result: 'duplicate' };
  }
  let built: Built;
  try {
    built = await buildAndStore(portsOf(deps), clusters, period, [...FRAMEWORKS], 'schedule', now);
  } catch (error) {
    await claims?.release(claimKey).catch(() => undefined);
    throw error;
  }
  deps.log.info('monthly evidence pack stored', {
    packId: built.stored.packId,
    archiveSha256: built.stored.archiveSha256,
    location: built.stored.location,
  });
  const message = buildEvidencePackMessage({
    period,
    clusters,
    frameworks: built.counts,
    stored: built.stored,
    requestedBy: 'schedule',
  });
  if (deps.messenger === undefined) {
    deps.log.warn('monthly evidence pack not posted: the worker has no Slack messenger', {
      packId: built.stored.packId,
    });
    return { result: 'stored', packId: built.stored.packId };
  }
  await deps.messenger.postMessage({ channel: settings.channel, ...message });
  return { result: 'posted', packId: built.stored.packId };
}
