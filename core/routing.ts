import type { KubeguardConfig } from './config/schema.ts';
import type { Detection } from './model/detection.ts';
import { isAtLeast } from './model/severity.ts';

export interface AlertRoute {
  /** Undefined for a quiet incident: stored and listed, never posted. */
  channel?: string;
  /** Slack mrkdwn mention to put in the alert, e.g. `<!subteam^S0123ABC>` for critical findings. */
  mention?: string;
}

type SlackRouting = KubeguardConfig['slack'];
type RouteConfig = SlackRouting['routes'][number];

/** The least severe incident the default channel receives: LOW is quiet unless a route opts in. */
export const DEFAULT_CHANNEL_MIN_SEVERITY = 'medium';

/**
 * Where an alert goes: the first configured route whose cluster and account (exact), namespace
 * (glob) and minimum severity all match; otherwise the default channel, for medium and above. A LOW incident
 * no route takes (only a route saying `minSeverity: "low"` does) gets no channel: it is stored and
 * listed but not posted. Critical findings also mention the configured on-call user group.
 */
export function routeDetection(detection: Detection, slack: SlackRouting): AlertRoute {
  const route = slack.routes.find((candidate) => routeMatches(candidate, detection));
  const target: AlertRoute = {};
  if (route !== undefined) target.channel = route.channel;
  else if (isAtLeast(detection.severity, DEFAULT_CHANNEL_MIN_SEVERITY)) target.channel = slack.defaultChannel;
  if (detection.severity === 'critical' && slack.criticalMention !== undefined) {
    target.mention = `<!subteam^${slack.criticalMention}>`;
  }
  return target;
}

/**
 * Where a cluster-wide message (a posture audit summary) goes: the first route naming this cluster
 * for every namespace (no namespace, or `*`), else the first such route for every cluster, else the
 * default channel. Namespace-scoped routes are for that namespace's alerts, and minSeverity does not
 * apply: a summary carries every severity.
 */
export function channelForCluster(cluster: string, slack: SlackRouting): string {
  const wholeCluster = slack.routes.filter(
    (route) => route.namespace === undefined || route.namespace === '*',
  );
  const route =
    wholeCluster.find((candidate) => candidate.cluster === cluster) ??
    wholeCluster.find((candidate) => candidate.cluster === undefined);
  return route?.channel ?? slack.defaultChannel;
}

function routeMatches(route: RouteConfig, detection: Detection): boolean {
  if (route.cluster !== undefined && route.cluster !== detection.cluster) return false;
  if (route.account !== undefined && route.account !== detection.account) return false;
  // A cluster-scoped detection has no namespace: it matches `*` (any run, including none) only.
  if (route.namespace !== undefined && !globMatches(route.namespace, detection.namespace ?? '')) return false;
  return isAtLeast(detection.severity, route.minSeverity);
}

/** `*` matches any run of characters (including none); every other character matches itself. */
export function globMatches(pattern: string, value: string): boolean {
  const parts = pattern.split('*');
  const first = parts[0] ?? '';
  const last = parts[parts.length - 1] ?? '';
  if (parts.length === 1) return pattern === value;
  if (!value.startsWith(first) || value.length < first.length + last.length || !value.endsWith(last)) {
    return false;
  }
  // Greedy left-to-right placement of the middle parts is optimal for `*`-only globs.
  let position = first.length;
  const end = value.length - last.length;
  for (const middle of parts.slice(1, -1)) {
    const found = value.indexOf(middle, position);
    if (found === -1 || found + middle.length > end) return false;
    position = found + middle.length;
  }
  return true;
}
