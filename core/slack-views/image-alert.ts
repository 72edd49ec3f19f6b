import type {
  Detection,
  ImageVulnerability,
  ImageVulnerabilityEntry,
  ImageWorkload,
} from '../model/detection.ts';
import type { Finding } from '../model/finding.ts';
import { SEVERITY_MARKER, safeMention, seenText, slackDate, statusText, withPrefix } from './alert-parts.ts';
import {
  type ActionsBlock,
  type Block,
  type ButtonElement,
  mrkdwn,
  plainText,
  type SlackMessage,
} from './blocks.ts';
import { linesWithin, plainSafe } from './format.ts';
import { ALERT_ACTION_IDS, EKS_CLUSTER_NAME } from './ids.ts';
import { BLOCK_KIT_LIMITS } from './limits.ts';
import { codeSpan, safeMrkdwn, sentenceMrkdwn, untrustedText } from './mrkdwn.ts';

/**
 * The Slack alert of an Amazon Inspector image finding (core/supply-chain/image-alerts.ts): the
 * image (`repository@sha256:…` and its tags), its vulnerabilities (CVE, package installed → fixed
 * version, exploit available), whether Inspector saw it in use, and the workloads, namespaces and
 * clusters running it — with a warning when some clusters could not be read. Every value comes from
 * the image, its registry or a cluster and is shown escaped (a code span, or untrusted text).
 *
 * Buttons: Run audit, Acknowledge, Suppress… only. Nothing here runs in one pod that isolating it
 * would stop, and there is no secret to rotate: the fix is a new image, rolled out. Run audit audits
 * one cluster (a button value names at most one): the alert's cluster, or, for an image running in
 * several, the one running most of its pods (decision D64).
 */

export interface ImageAlertOptions {
  /** A user-group or user mention from routing. */
  mention?: string;
  /** How to name an account: `prod (222233334444)` (accountLabel). @default the account id */
  accountLabel?: (account: string) => string;
}

/** Vulnerabilities listed on the alert; the stored detection keeps more (IMAGE_ALERT_LIMITS). */
export const IMAGE_ALERT_SHOWN_VULNERABILITIES = 8;
const SHOWN_PACKAGES = 3;
const SHOWN_WORKLOADS = 15;
const SHOWN_UNREADABLE = 3;
const VALUE_CAP = 120;
const FALLBACK_TEXT_CAP = 3000;
const L = BLOCK_KIT_LIMITS;

/** Whether a finding is an image alert (and is rendered by `buildImageAlertMessage`). */
export function isImageAlert(
  detection: Detection,
): detection is Detection & { imageVulnerability: ImageVulnerability } {
  return detection.source === 'inspector' && detection.imageVulnerability !== undefined;
}

export function buildImageAlertMessage(finding: Finding, options: ImageAlertOptions = {}): SlackMessage {
  const detection = finding.detection;
  const image = detection.imageVulnerability;
  if (image === undefined)
    throw new Error('buildImageAlertMessage needs an image alert (imageVulnerability)');
  const label = options.accountLabel ?? ((account: string) => account);
  const mention = safeMention(options.mention);
  const header = `${SEVERITY_MARKER[detection.severity]} Vulnerable image ${image.repository}@${shortDigest(image.digest)}`;
  const blocks: Block[] = [
    { type: 'header', block_id: 'alert_header', text: plainText(plainSafe(header, L.headerText)) },
    {
      type: 'section',
      block_id: 'alert_summary',
      text: mrkdwn(summaryText(detection, image, mention, label)),
    },
    { type: 'section', block_id: 'image_vulnerabilities', text: mrkdwn(vulnerabilitiesText(image)) },
    { type: 'section', block_id: 'image_workloads', text: mrkdwn(workloadsText(image, label)) },
  ];
  if (image.unreadableClusters.length > 0) {
    blocks.push({ type: 'section', block_id: 'image_unreadable', text: mrkdwn(unreadableText(image)) });
  }
  const status = statusText(finding);
  if (status !== undefined) blocks.push({ type: 'section', block_id: 'alert_status', text: mrkdwn(status) });
  blocks.push({
    type: 'context',
    block_id: 'alert_context',
    elements: [seenText(finding), mrkdwn(`${safeMrkdwn(detection.ruleId, 100)} · Amazon Inspector`)],
  });
  blocks.push(actionsBlock(finding, image));
  const fallback = `${header} — ${detection.summary}`;
  return { text: withPrefix(mention, fallback, FALLBACK_TEXT_CAP), blocks };
}

/** `sha256:` and 12 hex digits. */
function shortDigest(digest: string): string {
  return digest.slice(0, 'sha256:'.length + 12);
}

function summaryText(
  detection: Detection,
  image: ImageVulnerability,
  mention: string | undefined,
  label: (account: string) => string,
): string {
  const prefix = mention === undefined ? '' : `${mention} `;
  const parts = detection.summaryParts;
  const summary =
    parts === undefined || parts.length === 0
      ? untrustedText(detection.summary, 1200)
      : sentenceMrkdwn(parts, 1200);
  const lines = [prefix + summary];
  const tags =
    image.tags.length === 0
      ? 'no tags'
      : image.tags
          .slice(0, 5)
          .map((t) => codeSpan(t, 80))
          .join(', ');
  const moreTags = image.tags.length > 5 ? ` (+${image.tags.length - 5} more)` : '';
  lines.push(`*Image* ${codeSpan(`${image.repository}@${image.digest}`, 300)}`);
  lines.push(`*Tags* ${tags}${moreTags}`);
  const where = detection.region === undefined ? '' : ` ${codeSpan(detection.region, 40)}`;
  lines.push(`*Registry* ${codeSpan(label(image.registry), VALUE_CAP)}${where}`);
  if (image.inUseCount !== undefined && image.inUseCount > 0) {
    const last = image.lastInUseAt === undefined ? '' : `, last at ${slackDate(image.lastInUseAt)}`;
    lines.push(`*In use at runtime:* yes (Inspector saw ${image.inUseCount} running${last})`);
  }
  return linesWithin(lines, L.sectionText);
}

function vulnerabilitiesText(image: ImageVulnerability): string {
  const total = image.vulnerabilities.length + image.omittedVulnerabilities;
  const shown = image.vulnerabilities.slice(0, IMAGE_ALERT_SHOWN_VULNERABILITIES);
  const heading =
    total > shown.length
      ? `*Vulnerabilities* (top ${shown.length} of ${total} by Inspector score)`
      : `*Vulnerabilities* (${total})`;
  return linesWithin([heading, ...shown.map(vulnerabilityLine)], L.sectionText, (n) => `…and ${n} more`);
}

/** `• CVE-… (score 9.8, exploit available) — openssl 3.0.13-… → 3.0.13-…; libssl no fix yet`. */
function vulnerabilityLine(v: ImageVulnerabilityEntry): string {
  const facts = [
    v.inspectorScore === undefined ? undefined : `score ${v.inspectorScore}`,
    v.exploitAvailable === 'YES' ? '*exploit available*' : undefined,
  ].filter((fact) => fact !== undefined);
  const packages = v.packages.slice(0, SHOWN_PACKAGES).map((p) => {
    const installed = p.installed === undefined ? '' : ` ${codeSpan(p.installed, 80)}`;
    const fixed = p.fixed === undefined ? ' no fix yet' : ` → ${codeSpan(p.fixed, 80)}`;
    return `${codeSpan(p.name, 80)}${installed}${fixed}`;
  });
  const morePackages = v.packages.length - SHOWN_PACKAGES + v.omittedPackages;
  if (morePackages > 0) packages.push(`+${morePackages} more`);
  const what = packages.length > 0 ? ` — ${packages.join('; ')}` : '';
  return `• ${codeSpan(v.id, 80)}${facts.length > 0 ? ` (${facts.join(', ')})` : ''}${what}`;
}

function workloadsText(image: ImageVulnerability, label: (account: string) => string): string {
  const workloads = image.workloads.length + image.omittedWorkloads;
  const clusters = image.clusters.length;
  const heading = `*Running in* ${image.pods} ${image.pods === 1 ? 'pod' : 'pods'} of ${workloads} ${workloads === 1 ? 'workload' : 'workloads'} on ${clusters} ${clusters === 1 ? 'cluster' : 'clusters'}`;
  const lines = image.workloads.slice(0, SHOWN_WORKLOADS).map((w) => workloadLine(w, label));
  const left = workloads - lines.length;
  // The last line counts what is not listed; lines cut for length are added to it.
  const tail = left > 0 ? [`…and ${left} more`] : [];
  const more = (n: number) => `…and ${n - tail.length + left} more`;
  return linesWithin([heading, ...lines, ...tail], L.sectionText, more);
}

function workloadLine(w: ImageWorkload, label: (account: string) => string): string {
  const account = w.account === undefined ? '' : ` (${codeSpan(label(w.account), VALUE_CAP)})`;
  const pods = `${w.pods} ${w.pods === 1 ? 'pod' : 'pods'}`;
  return `• ${codeSpan(w.cluster, VALUE_CAP)}${account} · ${codeSpan(w.namespace, VALUE_CAP)} · ${codeSpan(w.workload, 200)} — ${pods}`;
}

function unreadableText(image: ImageVulnerability): string {
  const shown = image.unreadableClusters
    .slice(0, SHOWN_UNREADABLE)
    .map((u) => `${codeSpan(u.cluster, VALUE_CAP)} (${codeSpan(u.reason, 300)})`);
  const more = image.unreadableClusters.length - shown.length;
  const list = more > 0 ? `${shown.join(', ')} and ${more} more` : shown.join(', ');
  return `:warning: kubeguard could not read ${list}: the image may run in more places than listed.`;
}

// ---- buttons ----

/**
 * The cluster Run audit audits: the alert's own, else the one running most of the image's pods
 * (ties by name) among the workloads listed; undefined when none is a valid EKS cluster name.
 */
export function auditClusterOf(detection: Detection): string | undefined {
  if (detection.cluster !== undefined)
    return EKS_CLUSTER_NAME.test(detection.cluster) ? detection.cluster : undefined;
  const pods = new Map<string, number>();
  for (const w of detection.imageVulnerability?.workloads ?? []) {
    if (EKS_CLUSTER_NAME.test(w.cluster)) pods.set(w.cluster, (pods.get(w.cluster) ?? 0) + w.pods);
  }
  let best: [string, number] | undefined;
  for (const entry of pods) {
    if (best === undefined || entry[1] > best[1] || (entry[1] === best[1] && entry[0] < best[0]))
      best = entry;
  }
  return best?.[0];
}

function value(fingerprint: string, cluster: string | undefined): string {
  return JSON.stringify(cluster === undefined ? { fp: fingerprint } : { fp: fingerprint, c: cluster });
}

function actionsBlock(finding: Finding, image: ImageVulnerability): ActionsBlock {
  const d = finding.detection;
  // Acknowledge and Suppress act on the alert: its cluster when it has one (a responder there may),
  // else none, so the role is needed on every cluster running the image (core/authz/policy.ts).
  const own = d.cluster !== undefined && EKS_CLUSTER_NAME.test(d.cluster) ? d.cluster : undefined;
  const statusValue = value(finding.fingerprint, own);
  const audited = auditClusterOf(d);
  const elements: ButtonElement[] = [
    {
      type: 'button',
      action_id: ALERT_ACTION_IDS.runAudit,
      text: plainText(
        audited === undefined || image.clusters.length < 2
          ? 'Run audit'
          : plainSafe(`Run audit of ${audited}`, L.buttonText),
      ),
      value: value(finding.fingerprint, audited),
    },
  ];
  if (finding.status === 'open') {
    elements.push({
      type: 'button',
      action_id: ALERT_ACTION_IDS.acknowledge,
      text: plainText('Acknowledge'),
      style: 'primary',
      value: statusValue,
    });
  }
  if (finding.status === 'open' || finding.status === 'acknowledged') {
    elements.push({
      type: 'button',
      action_id: ALERT_ACTION_IDS.suppress,
      text: plainText('Suppress…'),
      value: statusValue,
    });
  }
  return { type: 'actions', block_id: 'alert_actions', elements };
}
