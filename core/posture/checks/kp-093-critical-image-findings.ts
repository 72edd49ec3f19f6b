import type { KubeObject } from '../../model/kube-object.ts';
import type { ImageFinding, RunningContainer } from '../../supply-chain/image-finding.ts';
import { runningContainersOf } from '../../supply-chain/running-images.ts';
import type { CheckOptions, CheckResult, ObjectRef, PostureCheck } from '../check.ts';
import { WORKLOAD_KINDS } from '../pod-templates.ts';
import { makeResult, type Subject, skipResult, subjectOf } from '../results.ts';
import type { ClusterSnapshot } from '../snapshot.ts';
import { findObject } from '../snapshot-index.ts';

/**
 * Days a critical finding may stay open on a running image: 14. Inspector's CRITICAL is CVSS 9.0 and
 * above. Two weeks sits just inside the 15 calendar days CISA BOD 19-02 allows for critical
 * vulnerabilities on internet-facing systems, and matches the two weeks BOD 22-01 set for the
 * known-exploited ones of its first catalog: long enough to rebuild on a fixed base image, review
 * and roll out, short enough that an exploit published after disclosure has little time against a
 * running workload. Counted from Inspector's `firstObservedAt` (when it first saw the finding on
 * that image), not the CVE's publication. `criticalImageFindingMaxAgeDays` sets the organisation's own.
 */
export const DEFAULT_CRITICAL_FINDING_MAX_AGE_DAYS = 14;

const DAY_MS = 86_400_000;
const MAX_IDS = 5;
const MAX_IMAGES = 4;

/** `deployment` (the running-images workload prefix) → `Deployment`, the kinds a workload may be. */
const KIND_BY_LOWER = new Map(
  [...WORKLOAD_KINDS, 'Pod', 'Rollout'].map((kind) => [kind.toLowerCase(), kind]),
);

/** An ACTIVE CRITICAL finding open for longer than the allowed days, with its age in whole days. */
interface OldFinding {
  id: string;
  ageDays: number;
}

/** Old critical findings per image digest. */
function oldCriticalFindings(
  findings: readonly ImageFinding[],
  now: number,
  maxAgeDays: number,
): Map<string, OldFinding[]> {
  const byDigest = new Map<string, OldFinding[]>();
  for (const finding of findings) {
    if (finding.status !== 'ACTIVE' || finding.inspectorSeverity !== 'CRITICAL') continue;
    const first = Date.parse(finding.firstObservedAt);
    if (Number.isNaN(first)) continue;
    const ageMs = now - first;
    if (ageMs <= maxAgeDays * DAY_MS) continue;
    const list = byDigest.get(finding.image.digest) ?? [];
    if (!list.some((known) => known.id === finding.vulnerabilityId))
      list.push({ id: finding.vulnerabilityId, ageDays: Math.floor(ageMs / DAY_MS) });
    byDigest.set(finding.image.digest, list);
  }
  for (const list of byDigest.values())
    list.sort((a, b) => b.ageDays - a.ageDays || a.id.localeCompare(b.id));
  return byDigest;
}

function bounded(items: readonly string[], max: number): string {
  const listed = items.slice(0, max).join(', ');
  return items.length > max ? `${listed} and ${items.length - max} more` : listed;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The object a workload's results are reported on: the workload when it is in the snapshot. */
function workloadSubject(snapshot: ClusterSnapshot, namespace: string, workload: string): Subject {
  const slash = workload.indexOf('/');
  const lower = workload.slice(0, slash);
  const name = workload.slice(slash + 1);
  const kind = KIND_BY_LOWER.get(lower);
  const object: KubeObject | undefined =
    kind === undefined ? undefined : findObject(snapshot, kind, namespace, name);
  if (object !== undefined) return subjectOf(snapshot, object);
  const ref: ObjectRef = { kind: kind ?? lower, namespace, name };
  return { ref };
}

export const kp093: PostureCheck = {
  id: 'KP-093',
  title: 'No workload runs an image with a critical Inspector finding older than N days',
  severity: 'high',
  category: 'workload',
  core: false,
  cis: [],
  reads: ['inspector:findings', 'pods'],
  remediation: `Rebuild the image on a fixed base or package version (Inspector names the fixed version), push it and roll the workload out to the new digest; N is criticalImageFindingMaxAgeDays (default ${DEFAULT_CRITICAL_FINDING_MAX_AGE_DAYS}).`,
  nothingToCheck: 'no running pod whose image digest is known (status imageID or a digest reference)',
  evaluate(snapshot: ClusterSnapshot, options: CheckOptions = {}): CheckResult[] {
    const findings = snapshot.aws?.imageFindings;
    if (findings === undefined) {
      return [
        skipResult(
          kp093,
          snapshot,
          'no Amazon Inspector findings in the snapshot (offline audit, or the audit did not read Inspector)',
        ),
      ];
    }
    const maxAgeDays = options.criticalImageFindingMaxAgeDays ?? DEFAULT_CRITICAL_FINDING_MAX_AGE_DAYS;
    const now = Date.parse(snapshot.takenAt);
    const old = oldCriticalFindings(findings, now, maxAgeDays);
    const byWorkload = new Map<string, RunningContainer[]>();
    for (const container of runningContainersOf({ name: snapshot.name }, snapshot.objects)) {
      const key = `${container.namespace}\u0000${container.workload}`;
      const list = byWorkload.get(key) ?? [];
      list.push(container);
      byWorkload.set(key, list);
    }
    const results: CheckResult[] = [];
    for (const containers of byWorkload.values()) {
      const first = containers[0] as RunningContainer;
      const subject = workloadSubject(snapshot, first.namespace, first.workload);
      // One entry per image digest the workload runs (replicas and containers share it).
      const images = new Map<string, { image: string; containers: Set<string> }>();
      for (const container of containers) {
        if (!old.has(container.digest)) continue;
        const entry = images.get(container.digest) ?? { image: container.image, containers: new Set() };
        entry.containers.add(container.container);
        images.set(container.digest, entry);
      }
      if (images.size === 0) {
        results.push(
          makeResult(
            kp093,
            'pass',
            subject,
            `no image it runs has an active critical Inspector finding older than ${plural(maxAgeDays, 'day')}`,
          ),
        );
        continue;
      }
      const evidence: Record<string, string> = {};
      const described = [...images].map(([digest, { image, containers: names }]) => {
        const list = old.get(digest) ?? [];
        const oldest = list[0]?.ageDays ?? 0;
        const ids = bounded(
          list.map((f) => f.id),
          MAX_IDS,
        );
        evidence[`image ${image}`] = `${digest}: ${ids}`;
        return `${JSON.stringify(image)} (${digest.slice(0, 19)}…, container ${bounded([...names].sort(), 3)}) has ${plural(list.length, 'critical finding')} open more than ${plural(maxAgeDays, 'day')} (oldest ${plural(oldest, 'day')}): ${ids}`;
      });
      const more = described.length - MAX_IMAGES;
      const message =
        described.slice(0, MAX_IMAGES).join('; ') + (more > 0 ? `; and ${plural(more, 'more image')}` : '');
      results.push(makeResult(kp093, 'fail', subject, message, evidence));
    }
    return results;
  },
};
