import type { CheckResult, PostureCheck } from '../check.ts';
import { SYSTEM_NAMESPACES } from '../network-index.ts';
import { podTemplates } from '../pod-templates.ts';
import { clusterSubject, makeResult } from '../results.ts';
import type { ClusterSnapshot } from '../snapshot.ts';
import { namespaceOf, objectsOfKind } from '../snapshot-index.ts';
import { type NamespaceView, type SignaturePolicy, signaturePolicies } from './kp-110-signature-policies.ts';

const MAX_LISTED = 8;

/** `a, b, c` — at most eight, then `and N more`. */
function bounded(names: readonly string[]): string {
  const listed = names.slice(0, MAX_LISTED).join(', ');
  const more = names.length - MAX_LISTED;
  return more > 0 ? `${listed} and ${more} more` : listed;
}

/** Non-system namespaces where a pod or a workload runs, each with its labels (sorted by name). */
function workloadNamespaces(snapshot: ClusterSnapshot): NamespaceView[] {
  const names = new Set<string>();
  for (const template of podTemplates(snapshot)) names.add(template.namespace);
  for (const pod of objectsOfKind(snapshot, 'Pod')) names.add(namespaceOf(pod));
  const labels = new Map(
    objectsOfKind(snapshot, 'Namespace').map((ns) => [ns.metadata.name, ns.metadata.labels ?? {}] as const),
  );
  return [...names]
    .filter((name) => !SYSTEM_NAMESPACES.has(name))
    .sort()
    .map((name) => ({
      name,
      // The API server sets this label on every namespace (a manifest audit may not carry it).
      labels: { ...labels.get(name), 'kubernetes.io/metadata.name': name },
    }));
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const describe = (policy: SignaturePolicy) => `${policy.name} (${policy.engine})`;

export const kp110: PostureCheck = {
  id: 'KP-110',
  title: 'Image signature verification enforced',
  severity: 'medium',
  category: 'workload',
  core: false,
  cis: [],
  reads: ['admissionpolicies', 'namespaces', 'pods'],
  remediation:
    'Enforce signature verification at admission for every namespace that runs workloads: a Kyverno ClusterPolicy with verifyImages and failureAction: Enforce, or Ratify with Gatekeeper (a RatifyVerification constraint with enforcementAction: deny and a notation — e.g. AWS Signer — or cosign Verifier); do not exclude application namespaces.',
  nothingToCheck: 'no workload runs outside the system namespaces',
  evaluate(snapshot: ClusterSnapshot): CheckResult[] {
    const namespaces = workloadNamespaces(snapshot);
    if (namespaces.length === 0) return [];
    const policies = signaturePolicies(snapshot);
    const enforcing = policies.filter((policy) => namespaces.some((ns) => policy.enforcesIn(ns)));
    const uncovered = namespaces
      .filter((ns) => !enforcing.some((policy) => policy.enforcesIn(ns)))
      .map((ns) => ns.name);
    const subject = clusterSubject(snapshot);
    const evidence: Record<string, string> = {};
    if (policies.length > 0) evidence['signature policies'] = policies.map(describe).join('; ');
    if (uncovered.length === 0) {
      return [
        makeResult(
          kp110,
          'pass',
          subject,
          `image signature verification is enforced in every namespace that runs workloads (${namespaces.length}), by ${enforcing.map(describe).join(', ')}`,
          evidence,
        ),
      ];
    }
    evidence['uncovered namespaces'] = `${bounded(uncovered)} (${uncovered.length})`;
    const notEnforcing = policies
      .filter((policy) => policy.notEnforcing !== undefined)
      .map((policy) => `${policy.name}: ${policy.notEnforcing}`);
    let message: string;
    if (enforcing.length === 0) {
      const why =
        notEnforcing.length > 0
          ? `no admission policy enforces image signature verification (${bounded(notEnforcing)})`
          : policies.length > 0
            ? `no signature policy covers a namespace that runs workloads (${bounded(policies.map((p) => p.name))})`
            : 'no admission policy verifies image signatures (Kyverno verifyImages, Ratify with Gatekeeper)';
      message = `${why}; workloads run unverified in ${plural(uncovered.length, 'namespace')}: ${bounded(uncovered)}`;
    } else {
      message = `${uncovered.length} of ${namespaces.length} namespaces that run workloads ${uncovered.length === 1 ? 'is' : 'are'} not covered by an enforcing signature policy: ${bounded(uncovered)} (enforced elsewhere by ${enforcing.map(describe).join(', ')})`;
    }
    return [makeResult(kp110, 'fail', subject, message, evidence)];
  },
};
