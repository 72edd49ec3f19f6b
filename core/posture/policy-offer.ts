import type { GeneratedPolicies, PolicyGenerationOptions } from '../policy-as-code/generate.ts';
import type { AuditReport } from './report.ts';

/**
 * Whether an audit summary offers "Generate policies" (core/slack-views/audit-report.ts): only when
 * the policy generator can express at least one of the report's failures — a policy to bind, or a
 * workload that must change before one can. The generator is asked itself (one rule, its own), with
 * the engine and mode the form defaults to; what it needs is loaded here on the first call, so a
 * function that never audits does not load it (D56).
 *
 * A generator that fails is no reason to lose an audit's summary: the button is left off.
 */
export async function policiesOffered(
  report: AuditReport,
  approvedRegistries?: readonly string[],
): Promise<boolean> {
  try {
    return canGenerate(await generateFor(report, { engine: 'vap', mode: 'warn' }, approvedRegistries));
  } catch {
    return false;
  }
}

/** Whether a generation has anything to show: a policy, or a workload that must change. */
export function canGenerate(generated: Pick<GeneratedPolicies, 'policies' | 'mustChange'>): boolean {
  return generated.policies.length > 0 || generated.mustChange.length > 0;
}

/** The generator over a stored report, with the allow-list KP-086 and KD-015 read (loaded lazily). */
export async function generateFor(
  report: AuditReport,
  choice: Pick<PolicyGenerationOptions, 'engine' | 'mode'>,
  approvedRegistries?: readonly string[],
): Promise<GeneratedPolicies> {
  const { generatePolicies } = await import('../policy-as-code/generate.ts');
  return generatePolicies(report, {
    ...choice,
    ...(approvedRegistries === undefined ? {} : { approvedRegistries }),
  });
}
