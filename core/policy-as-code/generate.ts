import type { PolicyInput } from './input.ts';

export type { PolicyCheckMetadata, PolicyCheckResult, PolicyInput } from './input.ts';
export { PolicyInputError, policyInputFromJson } from './input.ts';

/** vap: ValidatingAdmissionPolicy + Binding (admissionregistration.k8s.io/v1); kyverno: kyverno.io/v1 ClusterPolicy. */
export type PolicyEngine = 'vap' | 'kyverno';
/** warn: admitted with a warning (VAP Warn, Kyverno Audit); deny: refused (VAP Deny, Kyverno Enforce). */
export type PolicyMode = 'warn' | 'deny';

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
  /** The namespaces the binding covers: those where the check passed. [] = no binding. */
  namespaces: string[];
  /** e.g. 'CIS 4.2.1', 'PSS baseline: Privileged Containers'. */
  references: string[];
}

export interface WorkloadToChange {
  checkId: string;
  object: { kind: string; namespace?: string; name: string };
  message: string;
}

export interface GeneratedPolicies {
  /** Every document, in order: for vap each policy then its binding. */
  documents: Record<string, unknown>[];
  /** The documents as one multi-document YAML, each policy under a comment header. */
  yaml: string;
  policies: GeneratedPolicy[];
  /** Workloads that failed a check a policy was generated for: they must change before it can bind their namespace. */
  mustChange: WorkloadToChange[];
  /** Failed checks of the policy-as-code scope that got no policy, with the reason. */
  notGenerated: { checkId: string; reason: string }[];
}

export function generatePolicies(report: PolicyInput, options: PolicyGenerationOptions): GeneratedPolicies {
  void report;
  void options;
  throw new Error('generatePolicies: not implemented yet');
}
