import { createHash } from 'node:crypto';
import type {
  Detection,
  ImageVulnerability,
  ImageVulnerabilityEntry,
  ImageWorkload,
} from '../model/detection.ts';
import { joinSentence, literal, type Sentence, sentence } from '../model/sentence.ts';
import { compareSeverity, type Severity } from '../model/severity.ts';
import type { ImageFinding, RunningContainer, ScannedImage } from './image-finding.ts';

/**
 * Inspector image findings matched to the containers running them, by image manifest digest
 * (docs/supply-chain.md). One alert per image digest and severity lists every workload, namespace
 * and cluster running it; an image that runs nowhere is not an alert — it is reported in
 * `notRunning`, which the digest counts.
 */

/** The rule id of an image alert: there is no catalog rule behind it (decision D64). */
export const IMAGE_ALERT_RULE_ID = 'inspector:vulnerable-image';

export interface ImageAlert {
  digest: string;
  severity: Severity;
  /** The image as its most recently updated finding describes it, with the tags of every finding. */
  image: ScannedImage;
  /** The image's active findings of this severity, highest Inspector score first. */
  findings: ImageFinding[];
  /** The containers running the digest, sorted by cluster, namespace, pod and container. */
  running: RunningContainer[];
}

export interface NotRunningImage {
  digest: string;
  image: ScannedImage;
  /** Active findings on the image. */
  findings: number;
  /** Their severities, most severe first, each once. */
  severities: Severity[];
}

export interface ImageMatch {
  /** Most severe first, then by digest. */
  alerts: ImageAlert[];
  /** Images with active findings that no container runs, by digest. */
  notRunning: NotRunningImage[];
}

/**
 * Matches findings to containers in O(findings + containers): the containers are indexed by digest
 * once. Only ACTIVE findings count (a suppressed or closed finding is Inspector's answer already); a
 * finding given twice (the event and the list) counts once, its latest update kept.
 */
export function matchImageFindings(
  findings: readonly ImageFinding[],
  containers: readonly RunningContainer[],
): ImageMatch {
  const running = new Map<string, RunningContainer[]>();
  for (const container of containers) {
    const list = running.get(container.digest);
    if (list === undefined) running.set(container.digest, [container]);
    else list.push(container);
  }
  const latest = new Map<string, ImageFinding>();
  for (const finding of findings) {
    if (finding.status !== 'ACTIVE') continue;
    const seen = latest.get(finding.findingArn);
    if (seen === undefined || finding.updatedAt > seen.updatedAt) latest.set(finding.findingArn, finding);
  }
  const byDigest = new Map<string, ImageFinding[]>();
  for (const finding of latest.values()) {
    const list = byDigest.get(finding.image.digest);
    if (list === undefined) byDigest.set(finding.image.digest, [finding]);
    else list.push(finding);
  }
  const alerts: ImageAlert[] = [];
  const notRunning: NotRunningImage[] = [];
  for (const [digest, imageFindings] of byDigest) {
    const image = mergedImage(imageFindings);
    const where = running.get(digest);
    if (where === undefined) {
      notRunning.push({
        digest,
        image,
        findings: imageFindings.length,
        severities: [...new Set(imageFindings.map((f) => f.severity))].sort((a, b) => compareSeverity(b, a)),
      });
      continue;
    }
    const sortedRunning = [...where].sort(compareContainers);
    const bySeverity = new Map<Severity, ImageFinding[]>();
    for (const finding of imageFindings) {
      const list = bySeverity.get(finding.severity);
      if (list === undefined) bySeverity.set(finding.severity, [finding]);
      else list.push(finding);
    }
    for (const [severity, list] of bySeverity) {
      alerts.push({ digest, severity, image, findings: list.sort(compareFindings), running: sortedRunning });
    }
  }
  alerts.sort((a, b) => compareSeverity(b.severity, a.severity) || compareText(a.digest, b.digest));
  notRunning.sort((a, b) => compareText(a.digest, b.digest));
  return { alerts, notRunning };
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function compareFindings(a: ImageFinding, b: ImageFinding): number {
  return (
    (b.inspectorScore ?? -1) - (a.inspectorScore ?? -1) ||
    compareText(a.vulnerabilityId, b.vulnerabilityId) ||
    compareText(a.findingArn, b.findingArn)
  );
}

function compareContainers(a: RunningContainer, b: RunningContainer): number {
  return (
    compareText(a.cluster, b.cluster) ||
    compareText(a.namespace, b.namespace) ||
    compareText(a.pod, b.pod) ||
    compareText(a.container, b.container)
  );
}

/** The newest finding's image, with every finding's tags (each once, bounded). */
function mergedImage(findings: readonly ImageFinding[]): ScannedImage {
  const newest = findings.reduce((a, b) =>
    b.updatedAt > a.updatedAt || (b.updatedAt === a.updatedAt && b.findingArn < a.findingArn) ? b : a,
  );
  const tags = [...new Set(findings.flatMap((f) => f.image.tags))].sort(compareText).slice(0, MAX_TAGS);
  return { ...newest.image, tags };
}

// ---- the detection ----

/** Bounds of what an image alert stores (a finding item must stay far below DynamoDB's 400 KB). */
export const IMAGE_ALERT_LIMITS = {
  vulnerabilities: 20,
  packagesPerVulnerability: 5,
  workloads: 30,
  clusters: 20,
  unreadableClusters: 10,
  /** Longest id, package name or version kept. */
  value: 200,
  title: 200,
  reason: 300,
} as const;
const MAX_TAGS = 20;
const LIMIT = IMAGE_ALERT_LIMITS;

export interface ImageAlertContext {
  /** Clusters that could not be read this time: the alert says its list of workloads may be partial. */
  unreadableClusters: readonly { cluster: string; reason: string }[];
}

/**
 * The Detection of an image alert (source `inspector`, rule IMAGE_ALERT_RULE_ID). Its incident is
 * the digest and severity (`fingerprintOf`), so the alert is updated in place as findings or
 * workloads change. Its event id hashes what the alert says — the findings and their revisions, and
 * the workloads running the image — so a redelivered event or an unchanged re-scan counts once, and
 * a change counts as a new occurrence. Pod names are left out of it: a rollout alone is no news.
 */
export function imageAlertDetection(alert: ImageAlert, context: ImageAlertContext): Detection {
  const { image, findings, running } = alert;
  if (findings.length === 0 || running.length === 0) {
    throw new Error('an image alert has at least one finding and one running container (matchImageFindings)');
  }
  const newest = findings.reduce((a, b) => (b.updatedAt > a.updatedAt ? b : a));
  const vulnerability = imageVulnerabilityOf(alert, context);
  const clusters = vulnerability.clusters;
  const detection: Detection = {
    ruleId: IMAGE_ALERT_RULE_ID,
    // Lists (/k8s findings, App Home, the digest) show the title: it names the repository.
    title: `Running image with ${alert.severity} vulnerabilities: ${clip(image.repositoryName, LIMIT.value)}`,
    severity: alert.severity,
    mitre: [],
    source: 'inspector',
    summary: '',
    sourceIps: [],
    evidence: {},
    eventId: eventIdOf(alert),
    firstSeen: findings.map((f) => f.firstObservedAt).reduce(earlier),
    lastSeen: findings.map((f) => f.lastObservedAt).reduce(later),
    updatedAt: findings.map((f) => f.updatedAt).reduce(later),
    count: 1,
    account: newest.account,
    region: newest.region,
    image: `${clip(image.repositoryName, LIMIT.value)}@${alert.digest}`,
    imageVulnerability: vulnerability,
  };
  const namespaces = new Set(running.map((c) => c.namespace));
  if (clusters.length === 1) {
    detection.cluster = clusters[0] as string;
    // One namespace: the Run audit button keeps its results about it (core/chatops/handlers/audit.ts).
    if (namespaces.size === 1) detection.namespace = running[0]?.namespace as string;
  }
  const summary = summaryOf(alert, vulnerability);
  detection.summary = summary.text;
  detection.summaryParts = [...summary.parts];
  return detection;
}

function imageVulnerabilityOf(alert: ImageAlert, context: ImageAlertContext): ImageVulnerability {
  const { image, findings, running } = alert;
  const workloads = workloadsOf(running);
  const clusters = [...new Set(running.map((c) => c.cluster))].sort(compareText);
  const vulnerability: ImageVulnerability = {
    registry: clip(image.registry, LIMIT.value),
    repository: clip(image.repositoryName, LIMIT.value),
    digest: alert.digest,
    tags: image.tags.slice(0, MAX_TAGS).map((tag) => clip(tag, 128)),
    severity: alert.severity,
    vulnerabilities: findings.slice(0, LIMIT.vulnerabilities).map(entryOf),
    omittedVulnerabilities: Math.max(0, findings.length - LIMIT.vulnerabilities),
    workloads: workloads.slice(0, LIMIT.workloads),
    omittedWorkloads: Math.max(0, workloads.length - LIMIT.workloads),
    pods: new Set(running.map((c) => `${c.cluster}\u0000${c.namespace}\u0000${c.pod}`)).size,
    clusters: clusters.slice(0, LIMIT.clusters).map((c) => clip(c, LIMIT.value)),
    unreadableClusters: context.unreadableClusters.slice(0, LIMIT.unreadableClusters).map((u) => ({
      cluster: clip(u.cluster, LIMIT.value),
      reason: clip(u.reason, LIMIT.reason),
    })),
  };
  if (image.inUseCount !== undefined) vulnerability.inUseCount = image.inUseCount;
  if (image.lastInUseAt !== undefined) vulnerability.lastInUseAt = image.lastInUseAt;
  return vulnerability;
}

function entryOf(finding: ImageFinding): ImageVulnerabilityEntry {
  const entry: ImageVulnerabilityEntry = {
    id: clip(finding.vulnerabilityId, LIMIT.value),
    title: clip(finding.title, LIMIT.title),
    inspectorSeverity: clip(finding.inspectorSeverity, 20),
    packages: finding.packages.slice(0, LIMIT.packagesPerVulnerability).map((p) => {
      const item: ImageVulnerabilityEntry['packages'][number] = { name: clip(p.name, LIMIT.value) };
      if (p.version !== undefined) item.installed = clip(p.version, LIMIT.value);
      if (p.fixedInVersion !== undefined) item.fixed = clip(p.fixedInVersion, LIMIT.value);
      return item;
    }),
    omittedPackages:
      Math.max(0, finding.packages.length - LIMIT.packagesPerVulnerability) + (finding.omittedPackages ?? 0),
  };
  if (finding.inspectorScore !== undefined) entry.inspectorScore = finding.inspectorScore;
  if (finding.fixAvailable !== undefined) entry.fixAvailable = finding.fixAvailable;
  if (finding.exploitAvailable !== undefined) entry.exploitAvailable = finding.exploitAvailable;
  return entry;
}

/** One entry per workload (cluster, namespace, workload), with its pods counted; sorted. */
function workloadsOf(running: readonly RunningContainer[]): ImageWorkload[] {
  const byWorkload = new Map<string, { workload: ImageWorkload; pods: Set<string> }>();
  for (const c of running) {
    const key = `${c.cluster}\u0000${c.namespace}\u0000${c.workload}`;
    let entry = byWorkload.get(key);
    if (entry === undefined) {
      const workload: ImageWorkload = {
        cluster: clip(c.cluster, LIMIT.value),
        namespace: clip(c.namespace, LIMIT.value),
        workload: clip(c.workload, LIMIT.value * 2),
        pods: 0,
      };
      if (c.account !== undefined) workload.account = c.account;
      entry = { workload, pods: new Set() };
      byWorkload.set(key, entry);
    }
    entry.pods.add(c.pod);
  }
  return [...byWorkload.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([, { workload, pods }]) => ({ ...workload, pods: pods.size }));
}

/** `inspector2/ubuntu@sha256:84f507df33c6 has 2 critical vulnerabilities (CVE-…, CVE-…) and runs in …`. */
function summaryOf(alert: ImageAlert, v: ImageVulnerability): Sentence {
  const ids = v.vulnerabilities.slice(0, 3).map((entry) => entry.id);
  const more = alert.findings.length - ids.length;
  const listedIds =
    more > 0 ? sentence`${joinSentence(ids, ', ')} and ${more} more` : joinSentence(ids, ', ');
  const count = alert.findings.length;
  const noun = count === 1 ? 'vulnerability' : 'vulnerabilities';
  const workloads = v.workloads.length + v.omittedWorkloads;
  const where =
    v.clusters.length === 1
      ? sentence`cluster ${v.clusters[0] as string}`
      : sentence`${v.clusters.length} clusters (${joinSentence(v.clusters.slice(0, 3), ', ')}${v.clusters.length > 3 ? ', …' : ''})`;
  const image = `${v.repository}@${shortDigest(v.digest)}`;
  const words = (n: number, one: string, many: string) => literal(n === 1 ? one : many);
  return sentence`Image ${image} has ${count} ${literal(alert.severity)} ${literal(noun)} (${listedIds}) and runs in ${v.pods} ${words(v.pods, 'pod', 'pods')} of ${workloads} ${words(workloads, 'workload', 'workloads')} on ${where}.`;
}

/** `sha256:` and the first 12 hex digits, as `docker images` shows a digest. */
export function shortDigest(digest: string): string {
  return digest.slice(0, 'sha256:'.length + 12);
}

function eventIdOf(alert: ImageAlert): string {
  const findings = alert.findings.map((f) => `${f.findingArn}\u0001${f.updatedAt}`).sort(compareText);
  const workloads = [
    ...new Set(alert.running.map((c) => `${c.cluster}\u0001${c.namespace}\u0001${c.workload}`)),
  ].sort(compareText);
  const digest = createHash('sha256')
    .update(['inspector', alert.digest, alert.severity, ...findings, '', ...workloads].join('\u0000'))
    .digest('hex')
    .slice(0, 32);
  return `inspector:${digest}`;
}

const earlier = (a: string, b: string) => (b < a ? b : a);
const later = (a: string, b: string) => (b > a ? b : a);

function clip(value: string, max: number): string {
  if (value.length <= max) return value;
  return `${value.slice(0, max - 1).replace(/[\uD800-\uDBFF]$/, '')}…`;
}
