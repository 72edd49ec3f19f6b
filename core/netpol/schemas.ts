import { z } from 'zod';

/**
 * Schema pieces shared by the NetworkPolicy and admin policy readers. Inside a policy, unknown keys
 * are refused rather than dropped: a misspelt `from` or `podSelector` would otherwise widen a rule to
 * "anyone" (the API server's strict field validation refuses them too).
 */
export const labelSelectorSchema = z.strictObject({
  matchLabels: z.record(z.string(), z.string()).nullish(),
  matchExpressions: z
    .array(
      z.strictObject({
        key: z.string(),
        operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
        values: z.array(z.string()).nullish(),
      }),
    )
    .nullish(),
});

/** The first three issues, each as `field.path: message`. */
export function issuesOf(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => {
      const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
      return `${path.replace(/^\./, '') || '(object)'}: ${issue.message}`;
    })
    .join('; ');
}
