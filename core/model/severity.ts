/** Severity of a detection or a posture failure, lowest first. */
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

const RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 };

export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value);
}

/** Negative when a is less severe than b, 0 when equal, positive when more severe. */
export function compareSeverity(a: Severity, b: Severity): number {
  return RANK[a] - RANK[b];
}

export function isAtLeast(severity: Severity, minimum: Severity): boolean {
  return RANK[severity] >= RANK[minimum];
}

/**
 * GuardDuty's numeric severity bands: 1.0–3.9 low, 4.0–6.9 medium, 7.0–8.9 high, 9.0–10.0 critical.
 * Values outside 1–10 are clamped into the nearest band rather than rejected: the score is advisory.
 */
export function severityFromGuardDutyScore(score: number): Severity {
  if (!Number.isFinite(score) || score < 4) return 'low';
  if (score < 7) return 'medium';
  if (score < 9) return 'high';
  return 'critical';
}
