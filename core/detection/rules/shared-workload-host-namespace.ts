import { literal, sentence } from '../../model/sentence.ts';
/**
 * KD-004, KD-005 and KD-006 differ only in the pod-spec flag they read (`hostNetwork`, `hostPID`,
 * `hostIPC`); this builds their `match`.
 */
import { type AuditEvent, allContainers, imageAllowed } from '../audit-event.ts';
import type { RuleContext, RuleMatch } from '../rule.ts';
import {
  actorOf,
  describePod,
  everyImageAllowed,
  imageAllowListFor,
  podIdentity,
  podMatch,
  successfulPodSpec,
} from './shared-workload-pod.ts';

export type HostNamespaceFlag = 'hostNetwork' | 'hostPID' | 'hostIPC';

const DESCRIPTION: Record<HostNamespaceFlag, string> = {
  hostNetwork: "the node's network namespace (hostNetwork)",
  hostPID: "the node's process namespace (hostPID)",
  hostIPC: "the node's IPC namespace (hostIPC)",
};

/** A `match` that fires when a created pod sets `flag: true` and not every image is allow-listed. */
export function matchHostNamespace(ruleId: string, flag: HostNamespaceFlag) {
  return (event: AuditEvent, { config }: RuleContext): RuleMatch | null => {
    const spec = successfulPodSpec(event);
    if (spec === undefined || spec[flag] !== true) return null;
    const allowList = imageAllowListFor(config, ruleId);
    const containers = allContainers(spec);
    if (everyImageAllowed(containers, allowList)) return null;
    const offending = containers.find((c) => !imageAllowed(c.image, allowList));
    const summary = sentence`${actorOf(event)} created ${describePod(podIdentity(event))} sharing ${literal(DESCRIPTION[flag])}.`;
    const evidence: Record<string, string> = { [flag]: 'true' };
    if (offending !== undefined) evidence.image = offending.image;
    return podMatch(event, summary, evidence, offending);
  };
}
