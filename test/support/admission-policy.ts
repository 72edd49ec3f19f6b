import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CelEnv,
  type CelInput,
  type CelValue,
  celEnv,
  isCelError,
  isCelList,
  isCelMap,
  parse,
  plan,
} from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import type { Expr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import { parseAllDocuments } from 'yaml';
import type { AdmissionAttributes } from './kube-api-double.ts';
import { ApiFailure, type JsonObject } from './kube-api-semantics.ts';

/**
 * deploy/kubernetes/admission-policy.yaml evaluated the way kube-apiserver evaluates a
 * ValidatingAdmissionPolicy, with a CEL evaluator (@bufbuild/cel, plus the CEL strings extension
 * the API server also enables): the request must match `matchConstraints`, every `matchConditions`
 * expression must be true, then every validation must be true. `variables` are computed in order
 * and read as `variables.<name>`. An expression that errors denies (failurePolicy Fail); a
 * variable that errors is a defect of the policy and throws, so the tests see it.
 *
 * `object`, `oldObject` and `request` are built as the API server builds them: the objects as
 * their JSON (integers as CEL int), null where the operation has none (oldObject on CREATE, object
 * on DELETE).
 */

export const ADMISSION_POLICY_PATH = join(
  import.meta.dirname,
  '..',
  '..',
  'deploy',
  'kubernetes',
  'admission-policy.yaml',
);

/** The user kubeguard's worker acts as in EKS: its access entry's group, and every user's group. */
export const REMEDIATION_USER = {
  username: 'arn:aws:sts::111122223333:assumed-role/Kubeguard-Stateless-RemediationWorkerRole/kubeguard',
  groups: ['kubeguard-remediation', 'system:authenticated'],
};

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

/** The `request` variable: the admission request's attributes. */
export interface AdmissionRequest {
  operation: Operation;
  resource: { group: string; version: string; resource: string };
  subResource?: string;
  kind: { group: string; version: string; kind: string };
  namespace?: string;
  name: string;
  userInfo: { username: string; groups?: readonly string[] };
  object: JsonObject | null;
  oldObject: JsonObject | null;
  dryRun?: boolean;
}

export interface AdmissionDecision {
  /** Whether the policy applies (matchConstraints and matchConditions). */
  matched: boolean;
  allowed: boolean;
  /** The message of each validation that failed, in the policy's order. */
  denials: string[];
}

interface ResourceRule {
  apiGroups: string[];
  apiVersions: string[];
  operations: string[];
  resources: string[];
}

interface PolicyDocument {
  kind: string;
  metadata: { name: string };
  spec: {
    policyName?: string;
    failurePolicy?: string;
    validationActions?: string[];
    matchResources?: {
      namespaceSelector?: {
        matchLabels?: Record<string, string>;
        matchExpressions?: { key: string; operator: string; values?: string[] }[];
      };
    };
    matchConstraints?: { resourceRules?: ResourceRule[] };
    matchConditions?: { name: string; expression: string }[];
    variables?: { name: string; expression: string }[];
    validations?: { expression: string; message?: string; messageExpression?: string }[];
  };
}

type Program = (bindings: Record<string, CelInput>) => CelValue | Error;

interface Compiled {
  source: string;
  expr: Expr;
  run: Program;
}

export class AdmissionPolicy {
  readonly name: string;
  readonly bindingName: string;
  readonly document: PolicyDocument;
  /** Absent for a policy evaluated on its own (`fromDocuments` without a binding). */
  readonly bindingDocument: PolicyDocument | undefined;
  private readonly env: CelEnv;
  private readonly rules: ResourceRule[];
  private readonly conditions: Compiled[];
  private readonly variables: { name: string; compiled: Compiled }[];
  private readonly validations: { compiled: Compiled; message?: string; messageExpression?: Compiled }[];

  private constructor(policy: PolicyDocument, binding: PolicyDocument | undefined) {
    this.document = policy;
    this.bindingDocument = binding;
    this.name = policy.metadata.name;
    this.bindingName = binding?.metadata.name ?? '';
    this.env = celEnv({ funcs: strings });
    this.rules = policy.spec.matchConstraints?.resourceRules ?? [];
    this.conditions = (policy.spec.matchConditions ?? []).map((c) => this.compile(c.expression));
    this.variables = (policy.spec.variables ?? []).map((v) => ({
      name: v.name,
      compiled: this.compile(v.expression),
    }));
    this.validations = (policy.spec.validations ?? []).map((v) => ({
      compiled: this.compile(v.expression),
      ...(v.message === undefined ? {} : { message: v.message }),
      ...(v.messageExpression === undefined ? {} : { messageExpression: this.compile(v.messageExpression) }),
    }));
  }

  /** The binding (throws for a policy loaded without one). */
  get binding(): PolicyDocument {
    if (this.bindingDocument === undefined) throw new Error(`policy ${this.name} has no binding`);
    return this.bindingDocument;
  }

  /** The policy and its binding from the manifest (two documents). */
  static load(path = ADMISSION_POLICY_PATH): AdmissionPolicy {
    const documents = parseAllDocuments(readFileSync(path, 'utf8')).map((d) => d.toJS() as PolicyDocument);
    const policy = documents.find((d) => d.kind === 'ValidatingAdmissionPolicy');
    const binding = documents.find((d) => d.kind === 'ValidatingAdmissionPolicyBinding');
    if (!policy || !binding) throw new Error(`${path} must hold a ValidatingAdmissionPolicy and its binding`);
    return new AdmissionPolicy(policy, binding);
  }

  /**
   * A policy and (optionally) its binding from parsed documents, e.g. what the policy generator
   * returns: the ValidatingAdmissionPolicy named `name` (the only one when no name is given) and the
   * binding whose `spec.policyName` is its name, if any.
   */
  static fromDocuments(documents: readonly unknown[], name?: string): AdmissionPolicy {
    const all = documents as PolicyDocument[];
    const policies = all.filter(
      (d) => d.kind === 'ValidatingAdmissionPolicy' && (name === undefined || d.metadata.name === name),
    );
    const policy = policies[0];
    if (policy === undefined || policies.length > 1) {
      throw new Error(
        `expected one ValidatingAdmissionPolicy${name === undefined ? '' : ` named ${name}`}, found ${policies.length}`,
      );
    }
    const binding = all.find(
      (d) => d.kind === 'ValidatingAdmissionPolicyBinding' && d.spec.policyName === policy.metadata.name,
    );
    return new AdmissionPolicy(policy, binding);
  }

  /**
   * Whether the binding's `matchResources.namespaceSelector` selects a namespace with these labels
   * (the API server adds `kubernetes.io/metadata.name`); false without a binding. Supports
   * matchLabels and the In / NotIn / Exists / DoesNotExist expressions.
   */
  bindsNamespace(labels: Readonly<Record<string, string>>): boolean {
    if (this.bindingDocument === undefined) return false;
    const selector = this.bindingDocument.spec.matchResources?.namespaceSelector;
    if (selector === undefined) return true;
    const byLabels = Object.entries(selector.matchLabels ?? {}).every(
      ([key, value]) => labels[key] === value,
    );
    return (
      byLabels &&
      (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
        const value = labels[key];
        if (operator === 'In') return value !== undefined && values.includes(value);
        if (operator === 'NotIn') return value === undefined || !values.includes(value);
        if (operator === 'Exists') return value !== undefined;
        if (operator === 'DoesNotExist') return value === undefined;
        throw new Error(`unknown label selector operator ${operator}`);
      })
    );
  }

  /** Every CEL expression of the policy, with the parsed form. */
  expressions(): { source: string; expr: Expr }[] {
    return [
      ...this.conditions,
      ...this.variables.map((v) => v.compiled),
      ...this.validations.flatMap((v) => [v.compiled, ...(v.messageExpression ? [v.messageExpression] : [])]),
    ].map(({ source, expr }) => ({ source, expr }));
  }

  evaluate(request: AdmissionRequest): AdmissionDecision {
    if (!this.matchesConstraints(request)) return { matched: false, allowed: true, denials: [] };
    const bindings: Record<string, CelInput> = {
      request: toCel(requestVariable(request)),
      object: toCel(request.object),
      oldObject: toCel(request.oldObject),
    };
    for (const condition of this.conditions) {
      const result = condition.run(bindings);
      if (result === false) return { matched: false, allowed: true, denials: [] };
      if (result !== true) {
        return { matched: true, allowed: false, denials: [`matchCondition error: ${describe(result)}`] };
      }
    }
    const variables = new Map<string, CelInput>();
    for (const { name, compiled } of this.variables) {
      const value = compiled.run({ ...bindings, variables });
      if (isCelError(value) || value instanceof Error) {
        throw new Error(`variable ${name} failed on ${describeRequest(request)}: ${describe(value)}`);
      }
      variables.set(name, value as CelInput);
    }
    const scope = { ...bindings, variables };
    const denials: string[] = [];
    for (const validation of this.validations) {
      const result = validation.compiled.run(scope);
      if (result === true) continue;
      if (result !== false) {
        denials.push(`expression error (failurePolicy Fail): ${describe(result)}`);
        continue;
      }
      const message = validation.messageExpression?.run(scope);
      denials.push(
        typeof message === 'string'
          ? message
          : (validation.message ?? `failed expression: ${validation.compiled.source}`),
      );
    }
    return { matched: true, allowed: denials.length === 0, denials };
  }

  /** What the API server answers a denied request with (validationActions Deny): 422 Invalid. */
  denialFailure(request: AdmissionRequest, decision: AdmissionDecision): ApiFailure {
    const resource = request.resource.group
      ? `${request.resource.resource}.${request.resource.group}`
      : request.resource.resource;
    return new ApiFailure(
      422,
      'Invalid',
      `${resource} "${request.name}" is forbidden: ValidatingAdmissionPolicy '${this.name}' with binding '${this.bindingName}' denied request: ${decision.denials[0]}`,
    );
  }

  private compile(source: string): Compiled {
    const expr = parse(source);
    const planned = plan(this.env, expr) as unknown as Program;
    return { source, expr: expr.expr, run: planned };
  }

  private matchesConstraints(request: AdmissionRequest): boolean {
    const resource = request.subResource
      ? `${request.resource.resource}/${request.subResource}`
      : request.resource.resource;
    return this.rules.some(
      (rule) =>
        matchesAny(rule.apiGroups, request.resource.group) &&
        matchesAny(rule.apiVersions, request.resource.version) &&
        matchesAny(rule.operations, request.operation) &&
        rule.resources.some((pattern) => resourceMatches(pattern, resource)),
    );
  }
}

function matchesAny(patterns: readonly string[], value: string): boolean {
  return patterns.includes('*') || patterns.includes(value);
}

/** `*` every resource (no subresource), `*\/*` everything, `pods/*` every subresource of pods, `*\/status`. */
function resourceMatches(pattern: string, resource: string): boolean {
  if (pattern === '*/*') return true;
  const [patternResource, patternSub] = pattern.split('/');
  const [name, sub] = resource.split('/');
  if (
    (patternResource !== '*' && patternResource !== name) ||
    (patternSub === undefined) !== (sub === undefined)
  )
    return false;
  return patternSub === undefined || patternSub === '*' || patternSub === sub;
}

/** The `request` variable as the API server fills it (empty strings where a field is unset). */
function requestVariable(request: AdmissionRequest): JsonObject {
  return {
    kind: request.kind,
    resource: request.resource,
    subResource: request.subResource ?? '',
    requestKind: request.kind,
    requestResource: request.resource,
    requestSubResource: request.subResource ?? '',
    name: request.name,
    namespace: request.namespace ?? '',
    operation: request.operation,
    userInfo: {
      username: request.userInfo.username,
      ...(request.userInfo.groups === undefined ? {} : { groups: [...request.userInfo.groups] }),
    },
    dryRun: request.dryRun ?? false,
  } as JsonObject;
}

/** JSON as CEL sees unstructured Kubernetes objects: integers are int, objects are maps. */
export function toCel(value: unknown): CelInput {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map(toCel);
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (typeof value === 'object') {
    return new Map(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toCel(v)]));
  }
  return value as CelInput;
}

function describe(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (isCelMap(value) || isCelList(value)) return 'a non-boolean aggregate';
  return String(value);
}

function describeRequest(request: AdmissionRequest): string {
  return `${request.operation} ${request.resource.resource} ${request.namespace ?? ''}/${request.name}`;
}

/** The admission request the API server builds for a write the Kubernetes API double is about to make. */
export function admissionRequestOf(
  attributes: AdmissionAttributes,
  userInfo: AdmissionRequest['userInfo'] = REMEDIATION_USER,
): AdmissionRequest {
  const { type } = attributes;
  return {
    operation: attributes.operation,
    resource: { group: type.group, version: type.version, resource: type.resource },
    kind: { group: type.group, version: type.version, kind: type.kind },
    ...(attributes.namespace === undefined ? {} : { namespace: attributes.namespace }),
    name: attributes.name,
    userInfo,
    object: attributes.object,
    oldObject: attributes.oldObject,
    dryRun: attributes.dryRun,
  };
}

export interface AdmittedWrite {
  request: AdmissionRequest;
  decision: AdmissionDecision;
}

/**
 * Puts the policy in front of the double's writes, as the API server would for requests of the
 * remediation identity: each write is recorded with its decision, and a denied one fails with the
 * API server's answer.
 */
export function enforceAdmissionPolicy(
  api: { useAdmission(hook: ((attributes: AdmissionAttributes) => void) | undefined): void },
  policy: AdmissionPolicy = AdmissionPolicy.load(),
): AdmittedWrite[] {
  const writes: AdmittedWrite[] = [];
  api.useAdmission((attributes) => {
    const request = admissionRequestOf(attributes);
    const decision = policy.evaluate(request);
    writes.push({ request, decision });
    if (!decision.allowed) throw policy.denialFailure(request, decision);
  });
  return writes;
}
