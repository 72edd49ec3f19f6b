import { labelsOf } from '../model/kube-object.ts';
import { compareSeverity, type Severity } from '../model/severity.ts';
import type { AuditReport } from '../posture/report.ts';
import type { KubeObject } from '../posture/snapshot.ts';

/**
 * What a digest needs from the latest posture report, kept small (a few KB per cluster): the top
 * failed checks with the owner of their namespace, and the GuardDuty checks that did not pass.
 * Computed by the posture audit from its report and the namespaces it read (decision D46).
 */
export interface PostureRisk {
  checkId: string;
  title: string;
  severity: Severity;
  object: { kind: string; namespace?: string; name: string };
  message: string;
  /** The namespace's owner label value (`digest.ownerLabel`), when the namespace has one. */
  owner?: string;
}

export interface GuardDutyGap {
  checkId: string;
  title: string;
  /** `fail`: coverage is off; `skip`: kubeguard could not tell (no permission to read). */
  status: 'fail' | 'skip';
  message: string;
}

export interface PostureFacts {
  cluster: string;
  /** The report's takenAt. */
  takenAt: string;
  /** Most severe failures first, at most MAX_RISKS. */
  risks: PostureRisk[];
  guardDutyGaps: GuardDutyGap[];
}

export const MAX_RISKS = 5;
/** The checks about GuardDuty coverage: detector, EKS audit logs, runtime monitoring, EBS malware scans. */
export const GUARDDUTY_CHECKS: readonly string[] = ['KP-014', 'KP-015', 'KP-016', 'KP-019'];
/** Caps so one hostile object name cannot bloat the stored facts. */
const TEXT_CAP = 300;

/** The facts of a report; `namespaces` are the namespace objects the audit read (for owner labels). */
export function postureFactsOf(
  report: AuditReport,
  namespaces: readonly KubeObject[],
  ownerLabel: string,
): PostureFacts {
  const owners = new Map<string, string>();
  for (const namespace of namespaces) {
    const owner = labelsOf(namespace)[ownerLabel];
    if (owner !== undefined && owner !== '') owners.set(namespace.metadata.name, cap(owner));
  }
  const titles = new Map(report.checks.map((check) => [check.id, check.title]));
  const failures = report.results
    .filter((result) => result.status === 'fail' && !GUARDDUTY_CHECKS.includes(result.checkId))
    .sort(
      (a, b) =>
        compareSeverity(b.severity, a.severity) ||
        a.checkId.localeCompare(b.checkId) ||
        (a.object.namespace ?? '').localeCompare(b.object.namespace ?? '') ||
        a.object.name.localeCompare(b.object.name),
    );
  const risks = failures.slice(0, MAX_RISKS).map((result): PostureRisk => {
    const object: PostureRisk['object'] = { kind: cap(result.object.kind), name: cap(result.object.name) };
    if (result.object.namespace !== undefined) object.namespace = cap(result.object.namespace);
    const risk: PostureRisk = {
      checkId: result.checkId,
      title: titles.get(result.checkId) ?? result.checkId,
      severity: result.severity,
      object,
      message: cap(result.message),
    };
    // A namespace's own failures (no NetworkPolicy, no Pod Security label) belong to its owner too.
    const namespace =
      result.object.namespace ?? (result.object.kind === 'Namespace' ? result.object.name : undefined);
    const owner = namespace === undefined ? undefined : owners.get(namespace);
    if (owner !== undefined) risk.owner = owner;
    return risk;
  });
  const guardDutyGaps = report.results
    .filter((result) => GUARDDUTY_CHECKS.includes(result.checkId) && result.status !== 'pass')
    .map((result) => ({
      checkId: result.checkId,
      title: titles.get(result.checkId) ?? result.checkId,
      status: result.status as 'fail' | 'skip',
      message: cap(result.message),
    }))
    .sort((a, b) => a.checkId.localeCompare(b.checkId));
  return { cluster: report.cluster, takenAt: report.takenAt, risks, guardDutyGaps };
}

function cap(text: string): string {
  return text.length <= TEXT_CAP ? text : `${text.slice(0, TEXT_CAP - 1)}…`;
}
