import { authorize, type Subject } from '../../authz/policy.ts';
import { KubeguardError } from '../../errors.ts';
import { OPEN_STATUSES } from '../../findings/list.ts';
import { incidentSeverity } from '../../model/finding.ts';
import { SEVERITIES, type Severity } from '../../model/severity.ts';
import { buildHomeView, buildNoAccessHomeView, type HomeCluster } from '../../slack-views/home.ts';
import type { DigestSubscriptions } from '../ports.ts';
import { denialReply } from '../replies.ts';
import { recordFor, type WorkerHandler } from '../worker-context.ts';

/**
 * The App Home tab, published when the person opens it (`app_home_opened` → the `home` request).
 * It shows only the clusters the person may view: each one's latest posture score (the posture
 * history), its open findings by severity, and the person's digest subscriptions. Someone with no
 * role gets the denial every other request gets — which role, whom to ask — and no data; the
 * denial is recorded like any other.
 */

/** Open findings the tab counts at most; more are counted as this many (a scan of the findings). */
export const HOME_OPEN_FINDINGS_LIMIT = 5000;
/** Audit history entries per cluster: the latest and the one before, for the change. */
const HISTORY_ENTRIES = 2;
const HOME_PURPOSE = 'use kubeguard in Slack';

/** Digests not set up (no subscription store): nobody has a subscription, and the tab says so. */
export const NO_DIGEST_SUBSCRIPTIONS: DigestSubscriptions = {
  subscriptionsOf: async () => [],
};

export const homeHandler: WorkerHandler<'home'> = async (request, deps) => {
  const home = deps.home;
  if (home === undefined) {
    throw new KubeguardError(
      'INVALID_CONFIG',
      'the action worker was composed without the Home tab (WorkerDeps.home); compose it with the posture history and views.publish',
    );
  }
  const { userId } = request.actor;
  const subject: Subject = { userId, groups: new Set(request.actor.groups) };
  const { authorization } = deps.config;
  const access = authorize(authorization, subject, { role: 'viewer', anyCluster: true });
  if (!access.allowed) {
    const denial = denialReply(access, HOME_PURPOSE, authorization);
    await recordFor(deps, request, 'denial', {
      result: 'denied',
      role: 'viewer',
      detail: `needs the viewer role to ${HOME_PURPOSE}`,
    });
    await home.tabs.publish(
      userId,
      buildNoAccessHomeView({ userId, denial: { text: denial.text, blocks: denial.blocks ?? [] } }),
    );
    return { result: 'denied', detail: 'published the no-access Home tab' };
  }
  const visible = deps.config.clusters
    .map((cluster) => cluster.name)
    .filter((name) => authorize(authorization, subject, { role: 'viewer', cluster: name }).allowed);
  const [histories, listing, digests] = await Promise.all([
    Promise.all(visible.map((name) => home.history.latest(name, HISTORY_ENTRIES))),
    visible.length === 0
      ? Promise.resolve({ findings: [], truncated: false })
      : deps.findings.listFindings({ statuses: OPEN_STATUSES, limit: HOME_OPEN_FINDINGS_LIMIT }),
    home.digests.subscriptionsOf(userId),
  ]);
  const open = new Map(visible.map((name) => [name, zeroCounts()]));
  for (const finding of listing.findings) {
    const counts = open.get(finding.detection.cluster ?? '');
    if (counts !== undefined) counts[incidentSeverity(finding)] += 1;
  }
  if (listing.truncated) {
    deps.log.warn('home tab counted only the first open findings', {
      requestId: request.requestId,
      limit: HOME_OPEN_FINDINGS_LIMIT,
    });
  }
  const clusters: HomeCluster[] = visible.map((name, index) => ({
    name,
    audits: histories[index] ?? [],
    openFindings: open.get(name) ?? zeroCounts(),
  }));
  await home.tabs.publish(
    userId,
    buildHomeView({
      userId,
      clusters,
      digests,
      updatedAt: deps.clock(),
      offerDigest: home.digests.toggles === true,
    }),
  );
  return {
    result: 'done',
    detail: `published the Home tab: ${clusters.length} of ${deps.config.clusters.length} clusters`,
  };
};

function zeroCounts(): Record<Severity, number> {
  return Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<Severity, number>;
}
