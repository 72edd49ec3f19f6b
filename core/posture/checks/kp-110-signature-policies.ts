import type { KubeObject } from '../../model/kube-object.ts';
import { dig, list, record } from '../pod-templates.ts';
import { type Labels, selectorOf } from '../selectors.ts';
import type { ClusterSnapshot } from '../snapshot.ts';
import { objectsOfKind } from '../snapshot-index.ts';

/**
 * The admission policies that verify image signatures (KP-110), read from their public CRD shapes
 * (test/fixtures/kubernetes/signature-policies/README.md names the sources):
 *
 * - Kyverno `ClusterPolicy` / `Policy` (kyverno.io) rules with `verifyImages`. A rule enforces as
 *   Kyverno resolves it (pkg/engine/api/engineresponse.go `ruleAction`, `failureActionForRule`): a
 *   `verifyImages[].failureAction` of Enforce wins, else the first one set, else the policy's
 *   `validationFailureActionOverrides` matching the namespace, else `spec.validationFailureAction`
 *   (unset = Audit). Audit admits unsigned images.
 * - Gatekeeper constraints calling Ratify (kind `RatifyVerification`, or the kind of any
 *   ConstraintTemplate whose Rego calls `external_data` with a `ratify…` provider), enforcing when
 *   `spec.enforcementAction` is `deny` (the default); `dryrun` and `warn` admit. Ratify verifies only
 *   with a `Verifier` (cluster-wide) or `NamespacedVerifier` of type notation or cosign; a notation
 *   verifier whose trust policy trusts AWS Signer (`signingAuthority` trust store, signing-profile
 *   ARNs) is AWS Signer.
 *
 * Coverage is per namespace, and conservative: a match that narrows to some pods (by pod labels,
 * names, annotations or the requesting user) does not cover the namespace, and an exclusion that
 * touches a namespace uncovers all of it — unverified images may run there.
 */

/** A namespace as the policies' namespace conditions see it. */
export interface NamespaceView {
  name: string;
  /** Its labels, with `kubernetes.io/metadata.name` as the API server sets it. */
  labels: Labels;
}

/** One policy (or constraint) that verifies signatures, as KP-110 reports it. */
export interface SignaturePolicy {
  /** `ClusterPolicy "verify-images"`, `RatifyVerification "ratify-constraint"` … */
  name: string;
  /** `Kyverno verifyImages`, `Ratify via Gatekeeper, verifier notation with AWS Signer` … */
  engine: string;
  /** Whether it blocks unsigned images in this namespace (some images, at least). */
  enforcesIn: (namespace: NamespaceView) => boolean;
  /** Whether it blocks this image unsigned in this namespace (Kyverno: the rule's imageReferences). */
  verifiesIn: (namespace: NamespaceView, image: string) => boolean;
  /** Why it enforces nowhere, when that is so (`verifyImages failureAction is Audit`). */
  notEnforcing?: string;
}

type Json = Record<string, unknown>;

const strings = (value: unknown): string[] => list(value).filter((v): v is string => typeof v === 'string');

/** Kyverno's and Gatekeeper's namespace patterns: `*` any run of characters, `?` one (Kyverno). */
function wildcard(pattern: string): (value: string) => boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return (value) => value === pattern;
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  const regex = new RegExp(`^${source}$`);
  return (value) => regex.test(value);
}

const anyPattern = (patterns: readonly string[], value: string) =>
  patterns.some((pattern) => wildcard(pattern)(value));

/** `Pod`, `v1/Pod`, `*​/Pod`, `*`: the kinds entries of a Kyverno resource description that select Pods. */
function kyvernoSelectsPods(kinds: readonly string[]): boolean {
  return kinds.some((kind) => kind === '*' || kind === 'Pod' || kind.endsWith('/Pod') || kind === '*/*');
}

const REQUESTER_FIELDS = ['subjects', 'roles', 'clusterRoles'] as const;
const POD_SUBSET_FIELDS = ['name', 'names', 'selector', 'annotations'] as const;

function selectorMatches(selector: unknown, where: string, namespace: NamespaceView): boolean {
  if (selector === undefined || selector === null) return true;
  return selectorOf(selector, where).matches(namespace.labels);
}

/** A Kyverno resource filter (`{resources, subjects, roles, clusterRoles}`) and what it says of a namespace. */
function kyvernoFilter(filter: Json, where: string) {
  const resources = record(filter.resources) ?? {};
  const operations = strings(resources.operations);
  return {
    selectsPods: kyvernoSelectsPods(strings(resources.kinds)),
    kindsListed: strings(resources.kinds).length > 0,
    /** It applies to every pod created in the namespace, not to some. */
    whole:
      REQUESTER_FIELDS.every((key) => list(filter[key]).length === 0) &&
      POD_SUBSET_FIELDS.every((key) => resources[key] === undefined || resources[key] === null) &&
      (operations.length === 0 || operations.includes('CREATE')),
    requesterOnly: REQUESTER_FIELDS.some((key) => list(filter[key]).length > 0),
    inNamespace: (namespace: NamespaceView) => {
      const namespaces = strings(resources.namespaces);
      return (
        (namespaces.length === 0 || anyPattern(namespaces, namespace.name)) &&
        selectorMatches(resources.namespaceSelector, `${where}.resources.namespaceSelector`, namespace)
      );
    },
  };
}

/** The filters of a Kyverno `match` / `exclude` block: `any`, `all`, or the legacy inline form. */
function kyvernoBlock(block: Json | undefined, where: string) {
  if (block === undefined) return undefined;
  const any = list(block.any).map((f, i) => kyvernoFilter(record(f) ?? {}, `${where}.any[${i}]`));
  const all = list(block.all).map((f, i) => kyvernoFilter(record(f) ?? {}, `${where}.all[${i}]`));
  if (any.length === 0 && all.length === 0 && block.resources !== undefined)
    any.push(kyvernoFilter(block, where));
  return { any, all };
}

/** Whether a rule's `match` verifies every pod created in the namespace. */
function kyvernoMatchCovers(match: Json | undefined, where: string, namespace: NamespaceView): boolean {
  const block = kyvernoBlock(match, where);
  if (block === undefined) return false;
  if (block.any.some((f) => f.selectsPods && f.whole && f.inNamespace(namespace))) return true;
  return (
    block.all.length > 0 &&
    block.all.some((f) => f.selectsPods) &&
    block.all.every((f) => (!f.kindsListed || f.selectsPods) && f.whole && f.inNamespace(namespace))
  );
}

/**
 * Whether a rule's `exclude` exempts pods of the namespace. Exclusions of requesters only (a user,
 * a ClusterRole) exempt what those requesters create, not a namespace's controllers: they do not
 * uncover it; any other exclusion reaching the namespace does, even when it exempts only some pods.
 */
function kyvernoExcludes(exclude: Json | undefined, where: string, namespace: NamespaceView): boolean {
  const block = kyvernoBlock(exclude, where);
  if (block === undefined) return false;
  const reaches = (f: ReturnType<typeof kyvernoFilter>) =>
    !f.requesterOnly && (!f.kindsListed || f.selectsPods) && f.inNamespace(namespace);
  if (block.any.some(reaches)) return true;
  return block.all.length > 0 && block.all.every(reaches);
}

/** Kyverno's `matchOverride`: the first valid override whose namespaces / selector match. */
function overrideAction(overrides: unknown, where: string, namespace: NamespaceView): string | undefined {
  for (const [index, item] of list(overrides).entries()) {
    const override = record(item) ?? {};
    const action = override.action;
    if (typeof action !== 'string' || !['audit', 'enforce'].includes(action.toLowerCase())) continue;
    const at = `${where}[${index}].namespaceSelector`;
    const namespaces = override.namespaces === undefined ? undefined : strings(override.namespaces);
    if (namespaces === undefined) {
      if (selectorMatches(override.namespaceSelector, at, namespace)) return action;
      continue;
    }
    if (anyPattern(namespaces, namespace.name) && selectorMatches(override.namespaceSelector, at, namespace))
      return action;
  }
  return undefined;
}

const enforces = (action: string | undefined) => action === 'Enforce' || action === 'enforce';

/** A rule's own action from its verifyImages entries (Enforce wins, else the first one set). */
function verifyImagesAction(verifyImages: readonly unknown[]): string | undefined {
  const actions = verifyImages
    .map((entry) => dig(entry, 'failureAction'))
    .filter((a): a is string => typeof a === 'string');
  return actions.find(enforces) ?? actions[0];
}

/**
 * An image as Kyverno matches it against `imageReferences` (pkg/utils/image/infos.go `GetImageInfo`,
 * `String`, with the default registry docker.io added as `addDefaultRegistry` does):
 * `registry/path@digest`, else `registry/path:tag` (`latest` when untagged). No `library/` is added.
 */
export function kyvernoImageReference(image: string): string {
  const slash = image.indexOf('/');
  const first = slash === -1 ? '' : image.slice(0, slash);
  const named =
    slash === -1 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)
      ? `docker.io/${image}`
      : image;
  const at = named.indexOf('@');
  if (at !== -1) {
    const name = named.slice(0, at);
    const colon = name.lastIndexOf(':');
    const untagged = colon > name.lastIndexOf('/') ? name.slice(0, colon) : name;
    return `${untagged}${named.slice(at)}`;
  }
  const colon = named.lastIndexOf(':');
  return colon > named.lastIndexOf('/') ? named : `${named}:latest`;
}

/**
 * Whether one `verifyImages` entry verifies the image: it names attestors or attestations (an entry
 * with neither verifies nothing, imageverifier.go `verifyImage`), one of its `imageReferences` (or
 * the deprecated `image`) matches and none of its `skipImageReferences` does.
 */
function kyvernoEntryVerifies(entry: unknown, reference: string): boolean {
  if (list(dig(entry, 'attestors')).length === 0 && list(dig(entry, 'attestations')).length === 0)
    return false;
  const deprecated = dig(entry, 'image');
  const references = [
    ...strings(dig(entry, 'imageReferences')),
    ...(typeof deprecated === 'string' ? [deprecated] : []),
  ];
  return (
    anyPattern(references, reference) && !anyPattern(strings(dig(entry, 'skipImageReferences')), reference)
  );
}

function kyvernoPolicies(snapshot: ClusterSnapshot): SignaturePolicy[] {
  const policies: SignaturePolicy[] = [];
  for (const object of objectsOfKind(snapshot, 'ClusterPolicy', 'Policy')) {
    if (!String(object.apiVersion ?? '').startsWith('kyverno.io/')) continue;
    const spec = record(object.spec) ?? {};
    const policyNamespace = object.kind === 'Policy' ? (object.metadata.namespace ?? 'default') : undefined;
    const rules = list(spec.rules)
      .map((item, index) => ({ rule: record(item) ?? {}, index }))
      .filter(({ rule }) => list(rule.verifyImages).length > 0);
    if (rules.length === 0) continue;
    const actionIn = (rule: Json, namespace: NamespaceView) =>
      verifyImagesAction(list(rule.verifyImages)) ??
      overrideAction(
        spec.validationFailureActionOverrides,
        'spec.validationFailureActionOverrides',
        namespace,
      ) ??
      (typeof spec.validationFailureAction === 'string' ? spec.validationFailureAction : 'Audit');
    // `spec.admission: false` turns the policy off at admission (Kyverno Spec.AdmissionProcessingEnabled).
    const atAdmission = spec.admission !== false;
    const anyEnforce = rules.some(
      ({ rule }) =>
        enforces(verifyImagesAction(list(rule.verifyImages))) ||
        (verifyImagesAction(list(rule.verifyImages)) === undefined &&
          (enforces(spec.validationFailureAction as string | undefined) ||
            list(spec.validationFailureActionOverrides).some((o) => enforces(dig(o, 'action') as string)))),
    );
    const enforcingRules = (namespace: NamespaceView) =>
      !atAdmission || (policyNamespace !== undefined && policyNamespace !== namespace.name)
        ? []
        : rules.filter(
            ({ rule, index }) =>
              enforces(actionIn(rule, namespace)) &&
              kyvernoMatchCovers(record(rule.match), `spec.rules[${index}].match`, namespace) &&
              !kyvernoExcludes(record(rule.exclude), `spec.rules[${index}].exclude`, namespace),
          );
    const policy: SignaturePolicy = {
      name: `${object.kind} ${policyNamespace === undefined ? '' : `${policyNamespace}/`}"${object.metadata.name}"`,
      engine: 'Kyverno verifyImages',
      enforcesIn: (namespace) => enforcingRules(namespace).length > 0,
      verifiesIn: (namespace, image) => {
        const reference = kyvernoImageReference(image);
        return enforcingRules(namespace).some(({ rule }) =>
          list(rule.verifyImages).some((entry) => kyvernoEntryVerifies(entry, reference)),
        );
      },
    };
    if (!atAdmission) policy.notEnforcing = 'spec.admission is false (applied in background scans only)';
    else if (!anyEnforce) {
      const action = verifyImagesAction(list(rules[0]?.rule.verifyImages)) ?? spec.validationFailureAction;
      policy.notEnforcing = `failureAction is ${typeof action === 'string' ? action : 'not set (Audit)'}`;
    }
    policies.push(policy);
  }
  return policies;
}

/** The provider name a ConstraintTemplate's Rego passes to `external_data`, when it is Ratify's. */
const RATIFY_PROVIDER = /external_data\(\s*\{[^}]*"provider"\s*:\s*"ratify[^"]*"/;

/**
 * Constraint kinds that call Ratify: RatifyVerification, and those of templates calling its provider
 * (the snapshot collector lists the constraints of these kinds).
 */
export function ratifyConstraintKinds(objects: readonly KubeObject[]): Set<string> {
  const kinds = new Set(['RatifyVerification']);
  for (const object of objects) {
    if (object.kind !== 'ConstraintTemplate') continue;
    const kind = dig(object, 'spec', 'crd', 'spec', 'names', 'kind');
    const rego = list(dig(object, 'spec', 'targets'))
      .map((target) => dig(target, 'rego'))
      .filter((r): r is string => typeof r === 'string');
    if (typeof kind === 'string' && rego.some((text) => RATIFY_PROVIDER.test(text))) kinds.add(kind);
  }
  return kinds;
}

const SIGNATURE_VERIFIERS = new Set(['notation', 'cosign']);

/** A Ratify Verifier that verifies signatures: its type (`spec.type`, else the deprecated `spec.name`). */
function verifierType(object: KubeObject): string | undefined {
  if (!String(object.apiVersion ?? '').startsWith('config.ratify.deislabs.io/')) return undefined;
  if (object.kind !== 'Verifier' && object.kind !== 'NamespacedVerifier') return undefined;
  const type = dig(object, 'spec', 'type') ?? dig(object, 'spec', 'name');
  return typeof type === 'string' && SIGNATURE_VERIFIERS.has(type) ? type : undefined;
}

/**
 * A notation verifier trusting AWS Signer: its trust policy names AWS Signer signing profiles as
 * trusted identities (`arn:aws:signer:…:/signing-profiles/…`, as Ratify's "Ratify with AWS Signer"
 * quickstart writes it) or the `aws-signer-ts` trust store of the AWS Signer Developer Guide.
 */
function trustsAwsSigner(object: KubeObject): boolean {
  const policies = list(dig(object, 'spec', 'parameters', 'trustPolicyDoc', 'trustPolicies'));
  return policies.some(
    (policy) =>
      strings(dig(policy, 'trustStores')).some((store) =>
        /^signingAuthority:aws(-us-gov)?-signer-ts$/.test(store),
      ) || strings(dig(policy, 'trustedIdentities')).some((id) => /^arn:aws[a-z-]*:signer:/.test(id)),
  );
}

function verifierLabel(object: KubeObject, type: string): string {
  return type === 'notation' && trustsAwsSigner(object) ? 'notation with AWS Signer' : type;
}

function gatekeeperSelectsPods(kinds: unknown): boolean {
  const entries = list(kinds);
  if (entries.length === 0) return true;
  return entries.some((entry) => {
    const groups = strings(dig(entry, 'apiGroups'));
    const names = strings(dig(entry, 'kinds'));
    return (groups.includes('') || groups.includes('*')) && (names.includes('Pod') || names.includes('*'));
  });
}

/**
 * The action a constraint takes at admission (Gatekeeper pkg/util/enforcement_action.go: unset is
 * `deny`). `scoped` takes the `scopedEnforcementActions` entry naming the admission enforcement
 * point `validation.gatekeeper.sh` (or `*`), deny winning (website/docs/enforcement-points.md).
 */
function gatekeeperAction(spec: Json): string {
  const action =
    typeof spec.enforcementAction === 'string' && spec.enforcementAction !== ''
      ? spec.enforcementAction
      : 'deny';
  if (action !== 'scoped') return action;
  const atAdmission = list(spec.scopedEnforcementActions)
    .filter((entry) =>
      list(dig(entry, 'enforcementPoints')).some((point) => {
        const name = dig(point, 'name');
        return name === 'validation.gatekeeper.sh' || name === '*';
      }),
    )
    .map((entry) => dig(entry, 'action'));
  if (atAdmission.includes('deny')) return 'deny';
  const first = atAdmission.find((a): a is string => typeof a === 'string');
  return first === undefined
    ? 'scoped, not at admission (validation.gatekeeper.sh)'
    : `scoped: ${first} at admission`;
}

function ratifyPolicies(snapshot: ClusterSnapshot): SignaturePolicy[] {
  const kinds = ratifyConstraintKinds(objectsOfKind(snapshot, 'ConstraintTemplate'));
  const verifiers = objectsOfKind(snapshot, 'Verifier', 'NamespacedVerifier').flatMap((object) => {
    const type = verifierType(object);
    return type === undefined
      ? []
      : [
          {
            label: verifierLabel(object, type),
            namespace:
              object.kind === 'NamespacedVerifier' ? (object.metadata.namespace ?? 'default') : undefined,
          },
        ];
  });
  const policies: SignaturePolicy[] = [];
  for (const object of objectsOfKind(snapshot, ...kinds)) {
    if (!String(object.apiVersion ?? '').startsWith('constraints.gatekeeper.sh/')) continue;
    const spec = record(object.spec) ?? {};
    const match = record(spec.match) ?? {};
    const action = gatekeeperAction(spec);
    const namespaces = strings(match.namespaces);
    const excluded = strings(match.excludedNamespaces);
    const whole =
      gatekeeperSelectsPods(match.kinds) &&
      match.labelSelector === undefined &&
      match.name === undefined &&
      (match.scope === undefined || match.scope === '*' || match.scope === 'Namespaced') &&
      (match.source === undefined || match.source === 'All' || match.source === 'Original');
    const verifiersIn = (namespace: string) =>
      verifiers.filter((v) => v.namespace === undefined || v.namespace === namespace);
    const labels = [...new Set(verifiers.map((v) => v.label))];
    const enforcesIn = (namespace: NamespaceView) =>
      action === 'deny' &&
      whole &&
      verifiersIn(namespace.name).length > 0 &&
      (namespaces.length === 0 || anyPattern(namespaces, namespace.name)) &&
      !anyPattern(excluded, namespace.name) &&
      selectorMatches(match.namespaceSelector, 'spec.match.namespaceSelector', namespace);
    const policy: SignaturePolicy = {
      name: `${object.kind} "${object.metadata.name}"`,
      engine: `Ratify via Gatekeeper, ${labels.length === 0 ? 'no signature verifier' : `verifier ${labels.join(', ')}`}`,
      enforcesIn,
      // The template sends every container image to Ratify, which refuses what it cannot verify.
      verifiesIn: (namespace) => enforcesIn(namespace),
    };
    if (action !== 'deny') policy.notEnforcing = `enforcementAction is ${action}`;
    else if (verifiers.length === 0) policy.notEnforcing = 'no Ratify Verifier of type notation or cosign';
    policies.push(policy);
  }
  return policies;
}

/** Every policy of the snapshot that verifies image signatures, enforcing or not. */
export function signaturePolicies(snapshot: ClusterSnapshot): SignaturePolicy[] {
  return [...kyvernoPolicies(snapshot), ...ratifyPolicies(snapshot)];
}
