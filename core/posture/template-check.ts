import type { CheckMetadata, CheckOptions, CheckResult, PostureCheck } from './check.ts';
import { type PodTemplate, podTemplates } from './pod-templates.ts';
import { makeResult, show } from './results.ts';
import type { ClusterSnapshot } from './snapshot.ts';

/** One failing field of a pod spec: its path and the value found (undefined = not set). */
export interface Violation {
  path: string;
  value: unknown;
  /** Why that value fails, when the value alone does not say it. */
  why?: string;
}

export function violation(path: string, value: unknown, why?: string): Violation {
  return why === undefined ? { path, value } : { path, value, why };
}

export interface TemplateCheckDefinition extends CheckMetadata {
  /** Message of a passing result. */
  passMessage: string;
  /** Workloads the check is about; the others get no result. @default every workload */
  appliesTo?: (template: PodTemplate) => boolean;
  /** Every failing field of one workload; [] = pass. */
  inspect: (template: PodTemplate, options: CheckOptions) => Violation[];
}

const MAX_LISTED = 8;

export function describeViolation(v: Violation): string {
  const value = v.value === undefined ? 'not set' : show(v.value);
  return `${v.path} is ${value}${v.why === undefined ? '' : ` (${v.why})`}`;
}

export function failMessage(violations: readonly Violation[]): string {
  const listed = violations.slice(0, MAX_LISTED).map(describeViolation);
  const more = violations.length - listed.length;
  return more > 0 ? `${listed.join('; ')}; and ${more} more` : listed.join('; ');
}

export function evidenceOf(violations: readonly Violation[]): Record<string, string> {
  const evidence: Record<string, string> = {};
  for (const v of violations) evidence[v.path] = v.value === undefined ? '(not set)' : show(v.value);
  return evidence;
}

/** A check that inspects each workload's pod spec: one pass or fail per workload. */
export function templateCheck(definition: TemplateCheckDefinition): PostureCheck {
  const { passMessage, appliesTo, inspect, ...metadata } = definition;
  return {
    ...metadata,
    evaluate(snapshot: ClusterSnapshot, options: CheckOptions = {}): CheckResult[] {
      const results: CheckResult[] = [];
      for (const template of podTemplates(snapshot)) {
        if (appliesTo !== undefined && !appliesTo(template)) continue;
        const subject = template.subject;
        const violations = inspect(template, options);
        results.push(
          violations.length === 0
            ? makeResult(metadata, 'pass', subject, passMessage)
            : makeResult(metadata, 'fail', subject, failMessage(violations), evidenceOf(violations)),
        );
      }
      return results;
    },
  };
}

/** Resource types every pod-spec check reads. */
export const POD_READS: ('pods' | 'workloads')[] = ['pods', 'workloads'];
