import { stringify } from 'yaml';
import {
  approvedRegistriesPolicy,
  CHECK_POLICIES,
  type CheckPolicy,
  HAS_POD_SPEC,
  inScope,
  NOT_EXPRESSIBLE,
  normalizedPrefixes,
  POD_KINDS,
  POD_VARIABLES,
} from './checks.ts';
import type { PolicyCheckMetadata, PolicyCheckResult, PolicyInput } from './input.ts';

export type { PolicyCheckMetadata, PolicyCheckResult, PolicyInput } from './input.ts';
export { PolicyInputError, policyInputFromJson } from './input.ts';

/** vap: ValidatingAdmissionPolicy + Binding (admissionregistration.k8s.io/v1); kyverno: kyverno.io/v1 ClusterPolicy. */
export type PolicyEngine = 'vap' | 'kyverno';
/** warn: admitted with a warning (VAP Warn, Kyverno Audit); deny: refused (VAP Deny, Kyverno Enforce). */
export type PolicyMode = 'warn' | 'deny';
export const POLICY_ENGINES: readonly PolicyEngine[] = ['vap', 'kyverno'];
export const POLICY_MODES: readonly PolicyMode[] = ['warn', 'deny'];

export interface PolicyGenerationOptions {
  engine: PolicyEngine;
  mode: PolicyMode;
  /**
   * Registry prefixes KP-086 allows. @default those the report's KP-086 failures name; without
   * either, KP-086 is listed in notGenerated.
   */
  approvedRegistries?: readonly string[];
}

export interface GeneratedPolicy {
  checkId: string;
  /** The policy's name (and its binding's, for vap). */
  name: string;
  /** The namespaces the binding covers: those where the check passed. [] = no binding (vap only). */
  namespaces: string[];
  /** e.g. 'CIS 4.2.1', 'PSS baseline: Privileged Containers'. */
  references: string[];
}

export interface WorkloadToChange {
  checkId: string;
  object: { kind: string; namespace?: string; name: string };
  message: string;
  /** Manifest file of the workload (offline audits). */
  file?: string;
}

export interface GeneratedPolicies {
  /** Every document, in order: for vap each policy then its binding (when it has one). */
  documents: Record<string, unknown>[];
  /** The documents as one multi-document YAML, each policy under a comment header. */
  yaml: string;
  policies: GeneratedPolicy[];
  /** Workloads that failed a check a policy was generated for: they must change before it can bind their namespace. */
  mustChange: WorkloadToChange[];
  /** Failed checks of the policy-as-code scope that got no policy, with the reason. */
  notGenerated: { checkId: string; reason: string }[];
}

/** Labels and annotations every generated object carries. */
export const CHECK_LABEL = 'kubeguard.io/check';
export const REFERENCES_ANNOTATION = 'kubeguard.io/references';
export const GENERATED_FROM_ANNOTATION = 'kubeguard.io/generated-from';
const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'kubeguard' };

/** The subresource ephemeral containers are added through; the checks inspect them too. */
const EPHEMERAL_CONTAINERS_RESOURCE = 'pods/ephemeralcontainers';

/** Kinds whose objects live in a namespace: `default` when a manifest leaves it out (pod-templates.ts). */
const NAMESPACED = new Set<string>(POD_KINDS.map((k) => k.kind));

/**
 * Turns the failed Pod Security and registry/tag checks of an audit into admission policies bound
 * to the namespaces where the check passed (so enforcing them breaks nothing running today), and
 * lists the workloads that must change first. Pure; see docs/policy-as-code.md.
 */
export function generatePolicies(report: PolicyInput, options: PolicyGenerationOptions): GeneratedPolicies {
  const byCheck = new Map<string, PolicyCheckResult[]>();
  for (const result of report.results) {
    let results = byCheck.get(result.checkId);
    if (results === undefined) {
      results = [];
      byCheck.set(result.checkId, results);
    }
    results.push(result);
  }
  const out: GeneratedPolicies = { documents: [], yaml: '', policies: [], mustChange: [], notGenerated: [] };
  const sections: string[] = [];
  const failedChecks = [...report.checks]
    .filter((check) => inScope(check.id) && (byCheck.get(check.id) ?? []).some((r) => r.status === 'fail'))
    .sort((a, b) => a.id.localeCompare(b.id));
  for (const check of failedChecks) {
    const results = byCheck.get(check.id) ?? [];
    const policy = policyFor(check.id, results, options);
    if ('reason' in policy) {
      out.notGenerated.push({ checkId: check.id, reason: policy.reason });
      continue;
    }
    const failing = results.filter((r) => r.status === 'fail');
    const mustChange = failing.map((r) => ({
      checkId: check.id,
      object: { ...r.object },
      message: r.message,
      ...(r.file === undefined ? {} : { file: r.file }),
    }));
    const namespaces = passedNamespaces(results);
    const references = referencesOf(check, policy);
    const name = policyName(check);
    out.mustChange.push(...mustChange);
    if (options.engine === 'kyverno' && namespaces.length === 0) {
      out.notGenerated.push({
        checkId: check.id,
        reason: `no namespace passed ${check.id}, and a Kyverno ClusterPolicy cannot be left unbound: change the workloads listed, audit again and generate`,
      });
      continue;
    }
    const context: PolicyContext = {
      check,
      policy,
      name,
      namespaces,
      references,
      report,
      mode: options.mode,
    };
    const documents = options.engine === 'vap' ? vapDocuments(context) : [kyvernoPolicy(context)];
    out.documents.push(...documents);
    out.policies.push({ checkId: check.id, name, namespaces, references });
    sections.push(section(context, documents, failing.length));
  }
  const header = [
    `# kubeguard policy generate: ${options.engine === 'vap' ? 'ValidatingAdmissionPolicies and bindings' : 'Kyverno ClusterPolicies'} (mode ${options.mode})`,
    `# from the audit of ${report.cluster} at ${report.takenAt}: ${out.policies.length} polic${out.policies.length === 1 ? 'y' : 'ies'}, each bound only to the namespaces where its check passed.`,
    '',
  ].join('\n');
  out.yaml = sections.length === 0 ? '' : `${header}${sections.join('---\n')}`;
  return out;
}

function policyFor(
  checkId: string,
  results: readonly PolicyCheckResult[],
  options: PolicyGenerationOptions,
): CheckPolicy | { reason: string } {
  const unexpressible = NOT_EXPRESSIBLE[checkId];
  if (unexpressible !== undefined) return { reason: unexpressible };
  if (checkId === 'KP-086') {
    const approved = normalizedPrefixes(options.approvedRegistries ?? approvedRegistriesOf(results));
    if (approved.length === 0) {
      return {
        reason:
          'the approved registries are not in the report: give them with --approved-registry (approvedRegistries)',
      };
    }
    return approvedRegistriesPolicy(approved);
  }
  return (
    CHECK_POLICIES.find((p) => p.checkId === checkId) ?? {
      reason: 'kubeguard has no admission expression for this check yet',
    }
  );
}

/**
 * The approved registries a KP-086 failure names: its message ends each violation with
 * `(container "x"; not from a, b)` (core/posture/checks/kp-086-approved-registries.ts).
 */
export function approvedRegistriesOf(results: readonly PolicyCheckResult[]): string[] {
  for (const result of results) {
    if (result.status !== 'fail') continue;
    const match = /; not from ([^)]+)\)/.exec(result.message);
    if (match?.[1] !== undefined) return match[1].split(', ').filter((entry) => entry !== '');
  }
  return [];
}

/** Namespaces where every result of the check passed (and at least one did). */
export function passedNamespaces(results: readonly PolicyCheckResult[]): string[] {
  const passed = new Set<string>();
  const failed = new Set<string>();
  for (const result of results) {
    const namespace = result.object.namespace ?? (NAMESPACED.has(result.object.kind) ? 'default' : undefined);
    if (namespace === undefined) continue;
    if (result.status === 'pass') passed.add(namespace);
    else if (result.status === 'fail') failed.add(namespace);
  }
  return [...passed].filter((ns) => !failed.has(ns)).sort();
}

export function referencesOf(check: PolicyCheckMetadata, policy: CheckPolicy): string[] {
  const level = check.pss;
  return [
    ...check.cis.map((section) => `CIS ${section}`),
    ...(level === undefined ? [] : policy.pssControls.map((control) => `PSS ${level}: ${control}`)),
  ];
}

/** `kubeguard-kp-060-no-privileged-containers`: DNS-1123, at most 63 characters. */
export function policyName(check: Pick<PolicyCheckMetadata, 'id' | 'title'>): string {
  const slug = `kubeguard-${check.id}-${check.title}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (slug.length <= 63) return slug;
  // Cut at the last word boundary that fits (`…-add-only-net-bind` rather than `…-net-bind-servic`).
  const cut = slug.slice(0, 64);
  return cut.slice(0, cut.lastIndexOf('-')).replace(/-+$/, '');
}

interface PolicyContext {
  check: PolicyCheckMetadata;
  policy: CheckPolicy;
  name: string;
  namespaces: string[];
  references: string[];
  report: PolicyInput;
  mode: PolicyMode;
}

function metadata(context: PolicyContext): Record<string, unknown> {
  return {
    name: context.name,
    labels: { ...MANAGED_BY, [CHECK_LABEL]: context.check.id },
    annotations: {
      'kubeguard.io/title': context.check.title,
      [REFERENCES_ANNOTATION]: context.references.join(', '),
      [GENERATED_FROM_ANNOTATION]: `audit of ${context.report.cluster} at ${context.report.takenAt}`,
    },
  };
}

function message(context: PolicyContext): string {
  const references = context.references.length === 0 ? '' : ` (${context.references.join('; ')})`;
  const remediation = context.check.remediation === undefined ? '' : `: ${context.check.remediation}`;
  return `kubeguard ${context.check.id} ${context.check.title}${references}${remediation}`;
}

function variables(context: PolicyContext): { name: string; expression: string }[] {
  return [...POD_VARIABLES, ...(context.policy.variables ?? [])].map((v) => ({ ...v }));
}

function expression(context: PolicyContext): string {
  return `!${HAS_POD_SPEC} || (${context.policy.expression})`;
}

function vapDocuments(context: PolicyContext): Record<string, unknown>[] {
  const groups = [...new Set(POD_KINDS.map((k) => k.group))];
  const policy = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: metadata(context),
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: {
        resourceRules: groups.map((group) => ({
          apiGroups: [group],
          apiVersions: ['v1'],
          operations: ['CREATE', 'UPDATE'],
          resources: POD_KINDS.filter((k) => k.group === group).flatMap((k) =>
            // `kubectl debug` adds ephemeral containers through this subresource (UPDATE of the Pod).
            k.kind === 'Pod' ? [k.resource, EPHEMERAL_CONTAINERS_RESOURCE] : [k.resource],
          ),
        })),
      },
      variables: variables(context),
      validations: [{ expression: expression(context), message: message(context), reason: 'Invalid' }],
    },
  };
  if (context.namespaces.length === 0) return [policy];
  const binding = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name: context.name, labels: { ...MANAGED_BY, [CHECK_LABEL]: context.check.id } },
    spec: {
      policyName: context.name,
      validationActions: context.mode === 'deny' ? ['Deny', 'Audit'] : ['Warn', 'Audit'],
      matchResources: {
        namespaceSelector: {
          matchExpressions: [
            { key: 'kubernetes.io/metadata.name', operator: 'In', values: [...context.namespaces] },
          ],
        },
      },
    },
  };
  return [policy, binding];
}

function kyvernoPolicy(context: PolicyContext): Record<string, unknown> {
  const meta = metadata(context) as { annotations: Record<string, string> };
  return {
    apiVersion: 'kyverno.io/v1',
    kind: 'ClusterPolicy',
    metadata: {
      ...meta,
      annotations: {
        ...meta.annotations,
        'policies.kyverno.io/title': `${context.check.id} ${context.check.title}`,
        'policies.kyverno.io/category':
          context.policy.pssControls.length > 0 ? 'Pod Security' : 'Supply Chain',
        'policies.kyverno.io/subject': 'Pod',
        // The rule matches the controllers itself, with their pod template path.
        'pod-policies.kyverno.io/autogen-controllers': 'none',
      },
    },
    spec: {
      background: true,
      ...(context.mode === 'warn' ? { emitWarning: true } : {}),
      rules: [
        {
          name: context.check.id.toLowerCase(),
          match: {
            any: [
              {
                resources: {
                  kinds: [...POD_KINDS.map((k) => k.kind), 'Pod/ephemeralcontainers'],
                  namespaces: [...context.namespaces],
                  operations: ['CREATE', 'UPDATE'],
                },
              },
            ],
          },
          validate: {
            failureAction: context.mode === 'deny' ? 'Enforce' : 'Audit',
            cel: {
              variables: variables(context),
              expressions: [{ expression: expression(context), message: message(context) }],
            },
          },
        },
      ],
    },
  };
}

function section(
  context: PolicyContext,
  documents: readonly Record<string, unknown>[],
  failing: number,
): string {
  const scope =
    context.namespaces.length > 0
      ? `namespaces where it passed: ${context.namespaces.join(', ')}`
      : 'no namespace passed: no binding until the workloads that fail it change';
  const header = [
    `# ${context.check.id} ${context.check.title}`,
    `# references: ${context.references.length === 0 ? 'none (kubeguard check)' : context.references.join(', ')}`,
    `# ${scope}`,
    ...(failing > 0 ? [`# workloads that must change first: ${failing}`] : []),
  ];
  return `${header.join('\n')}\n${documents.map((d) => stringify(d, { lineWidth: 0 })).join('---\n')}`;
}
