import { actorLabel } from '../model/actor.ts';
import type { Detection, ImageVulnerability } from '../model/detection.ts';
import type { Finding } from '../model/finding.ts';

/**
 * Delivery bookkeeping of a finding's Slack message. A finding is stored before any Slack call;
 * `state: 'pending'` means Slack has not yet seen everything the store knows, and a later attempt
 * (the next batch, or the scheduled sweeper) must deliver it — nothing is ever dropped.
 */
export interface DeliveryState {
  /**
   * `quiet`: routing gave the finding no channel (a LOW incident no route opts into). It is stored
   * and listed but never posted and never in the pending index, until a rule raises it to a
   * severity some route takes (then `pending`).
   */
  state: 'pending' | 'delivered' | 'quiet';
  /** Failed attempts since the last successful delivery. */
  attempts: number;
  /** ISO-8601; the sweeper retries pending deliveries from this time on. */
  nextAttemptAt?: string;
  lastError?: string;
  /** Channel chosen by routing when the finding was opened (or raised out of quiet); empty while quiet. */
  channel: string;
  /** Occurrences the Slack message does not show yet. */
  unsentOccurrences: number;
  /** Evidence lines of occurrences not yet summarized in a thread reply (capped). */
  unsentEvidence: string[];
  /** ISO-8601 of the last thread reply; replies are sent at most once a minute. */
  lastThreadReplyAt?: string;
  /** Whether the message must be re-rendered (status change, new occurrences). */
  messageStale: boolean;
  /** A status change waits to be shown: it is shown at once, not on the update interval. */
  statusStale?: boolean;
  /** ISO-8601 of the last post or in-place update of the message. */
  lastMessageAt?: string;
  /**
   * The posting lease: one delivery worker at a time talks to Slack about a finding (decision D16).
   * Others skip the finding until `until` (ISO-8601) has passed.
   */
  lease?: { owner: string; until: string };
  /**
   * ISO-8601 of the earliest post whose answer was never recorded: Slack may hold the message already,
   * so the next worker looks it up by its metadata before posting again (decision D16).
   */
  postAttemptedAt?: string;
  /** The alert message was deleted in Slack; the fresh post that replaces it says so. */
  previousMessageDeleted?: { channel: string; ts: string; at: string };
}

/**
 * Event ids the finding counted most recently, with the count applied for each (newest last, at most
 * MAX_APPLIED_EVENTS), and how many older ones were evicted — only after their occurrence item was
 * marked applied. The finding write is the commit point of an occurrence (decision D16).
 */
export interface AppliedEvents {
  recent: [eventId: string, count: number][];
  evicted: number;
}

/** A finding as the store keeps it: the domain finding, its delivery state and an optimistic-lock version. */
export interface StoredFinding extends Finding {
  version: number;
  delivery: DeliveryState;
  /** Store bookkeeping: which events this finding already counts. */
  applied?: AppliedEvents;
}

/** Evidence lines kept for the next thread reply; older ones are counted, not listed. */
export const MAX_UNSENT_EVIDENCE = 10;
/** Finding history entries kept (newest last). */
export const MAX_HISTORY = 50;

/** One line of evidence describing an occurrence, for the thread summary. */
export function evidenceLine(detection: Detection): string {
  if (detection.imageVulnerability !== undefined)
    return imageEvidenceLine(detection.lastSeen, detection.imageVulnerability);
  const parts = [detection.lastSeen];
  // The person behind a shared username (`kubernetes-admin · assumed-role/DevOpsRole/jdoe`).
  const actor = actorLabel(detection);
  if (actor) parts.push(`by ${actor}`);
  if (detection.sourceIps.length > 0) parts.push(`from ${detection.sourceIps.join(', ')}`);
  if (detection.pod) parts.push(`pod ${detection.pod}`);
  const uri = detection.evidence.requestUri;
  if (uri) parts.push(uri);
  return parts.join(' · ');
}

/** Shown per vulnerability in an image alert's update line, the rest counted. */
const IMAGE_LINE_VULNERABILITIES = 5;

/**
 * An image alert's update says what changed with it: the vulnerabilities it now has (highest score
 * first) and where the image runs, since its time alone tells a responder nothing.
 */
function imageEvidenceLine(lastSeen: string, image: ImageVulnerability): string {
  const ids = image.vulnerabilities.slice(0, IMAGE_LINE_VULNERABILITIES).map((v) => v.id);
  const more = image.vulnerabilities.length - ids.length + image.omittedVulnerabilities;
  const workloads = image.workloads.length + image.omittedWorkloads;
  return [
    lastSeen,
    `${ids.join(', ')}${more > 0 ? ` (+${more})` : ''}`,
    `${workloads} workload${workloads === 1 ? '' : 's'}, ${image.pods} pod${image.pods === 1 ? '' : 's'} in ${image.clusters.join(', ')}`,
  ].join(' · ');
}
