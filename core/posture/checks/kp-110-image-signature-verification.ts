import type { CheckResult, PostureCheck } from '../check.ts';
import { SYSTEM_NAMESPACES } from '../network-index.ts';
import { ALL_CONTAINER_GROUPS, dig, list, podTemplates } from '../pod-templates.ts';
import { clusterSubject, makeResult } from '../results.ts';
import type { ClusterSnapshot } from '../snapshot.ts';
import { namespaceOf, objectsOfKind } from '../snapshot-index.ts';
import { type NamespaceView, type SignaturePolicy, signaturePolicies } from './kp-110-signature-policies.ts';

const MAX_LISTED = 8;

/** `a, b, c` — at most eight (or `max`), then `and N more`. */
function bounded(names: readonly string[], max = MAX_LISTED): string {
  const listed = names.slice(0, max).join(', ');
  const more = names.length - max;
  return more > 0 ? `${listed} and ${more} more` : listed;
}

/** A namespace that runs workloads, with the images its pods and pod templates name. */
interface WorkloadNamespace extends NamespaceView {
  images: Set<string>;
}

function addImages(images: Set<string>, spec: unknown): void {
  for (const group of ALL_CONTAINER_GROUPS) {
    for (const container of list(dig(spec, group))) {
      const image = dig(container, 'image');
      if (typeof image === 'string' && image !== '') images.add(image);
    }
  }
}

/** Non-system namespaces where a pod or a workload runs, with their labels and images (sorted by name). */
function workloadNamespaces(snapshot: ClusterSnapshot): WorkloadNamespace[] {
  const images = new Map<string, Set<string>>();
  const of = (name: string) => {
    let set = images.get(name);
    if (set === undefined) {
      set = new Set();
      images.set(name, set);
    }
    return set;
  };
  for (const template of podTemplates(snapshot)) addImages(of(template.namespace), template.spec);
  for (const pod of objectsOfKind(snapshot, 'Pod')) addImages(of(namespaceOf(pod)), pod.spec);
  const labels = new Map(
    objectsOfKind(snapshot, 'Namespace').map((ns) => [ns.metadata.name, ns.metadata.labels ?? {}] as const),
  );
  return [...images]
    .filter(([name]) => !SYSTEM_NAMESPACES.has(name))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, set]) => ({
      name,
      // The API server sets this label on every namespace (a manifest audit may not carry it).
      labels: { ...labels.get(name), 'kubernetes.io/metadata.name': name },
      images: set,
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
    // A namespace is covered when a policy enforces there and every image it runs is verified.
    const uncovered: string[] = [];
    const unverified: string[] = [];
    for (const ns of namespaces) {
      const enforcingHere = enforcing.filter((policy) => policy.enforcesIn(ns));
      if (enforcingHere.length === 0) {
        uncovered.push(ns.name);
        continue;
      }
      const escaping = [...ns.images]
        .filter((image) => !enforcingHere.some((policy) => policy.verifiesIn(ns, image)))
        .sort();
      if (escaping.length === 0) continue;
      uncovered.push(
        `${ns.name} (${plural(escaping.length, 'image')} not verified: ${bounded(
          escaping.map((i) => JSON.stringify(i)),
          3,
        )})`,
      );
      unverified.push(...escaping.map((image) => `${ns.name}: ${image}`));
    }
    const subject = clusterSubject(snapshot);
    const evidence: Record<string, string> = {};
    if (policies.length > 0)
      evidence['signature policies'] = `${bounded(policies.map(describe))} (${policies.length})`;
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
    if (unverified.length > 0)
      evidence['images not verified'] = `${bounded(unverified)} (${unverified.length})`;
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
      message = `${uncovered.length} of ${namespaces.length} namespaces that run workloads ${uncovered.length === 1 ? 'is' : 'are'} not covered by an enforcing signature policy: ${bounded(uncovered)} (enforcing: ${enforcing.map(describe).join(', ')})`;
    }
    return [makeResult(kp110, 'fail', subject, message, evidence)];
  },
};
