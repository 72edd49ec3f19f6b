import { expect } from 'vitest';
/**
 * Test helpers for the audit-log rules: run one rule through the engine (so stage gating, allow-lists
 * and suppressions apply as in production) on real-format events read from test/fixtures.
 */
import type { AuditEvent } from '../../../../../core/detection/audit-event.ts';
import { DEFAULT_DETECTION_CONFIG, type DetectionConfig } from '../../../../../core/detection/config.ts';
import { evaluateAuditEvent } from '../../../../../core/detection/engine.ts';
import type { AuditRule } from '../../../../../core/detection/rule.ts';
import type { Detection } from '../../../../../core/model/detection.ts';
import { loadFixture, readFixtureText } from '../../../../support/fixtures.ts';

export const NOW = '2026-01-15T12:00:00.000Z';

const CORPUS = 'corpus/public/audit-events.jsonl';
let corpusLines: string[] | undefined;

/** Line `n` (1-based, as audit-labels.json counts) of the public audit corpus. */
export function corpusEvent(line: number): AuditEvent {
  corpusLines ??= readFixtureText(CORPUS)
    .split('\n')
    .filter((text) => text.trim() !== '');
  const text = corpusLines[line - 1];
  if (text === undefined) throw new Error(`corpus has no line ${line}`);
  return JSON.parse(text) as AuditEvent;
}

export function corpusLineCount(): number {
  corpusEvent(1);
  return corpusLines?.length ?? 0;
}

/** Every line of the public audit corpus, 1-based. */
export function corpusEvents(): { line: number; event: AuditEvent }[] {
  corpusEvent(1);
  return (corpusLines ?? []).map((text, index) => ({
    line: index + 1,
    event: JSON.parse(text) as AuditEvent,
  }));
}

/** The `event` of a test/fixtures/eks-audit-*.json file. */
export function fixtureEvent(name: string): AuditEvent {
  return loadFixture<AuditEvent>(name);
}

/** A rule's example, deep-copied so that a test cannot change it for the next one. */
export function exampleOf(rule: AuditRule): AuditEvent {
  return structuredClone(rule.example);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function merge(base: Record<string, unknown>, overrides: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) {
      delete result[key];
      continue;
    }
    const current = result[key];
    result[key] =
      isPlainObject(current) && isPlainObject(value) ? merge(current, value) : structuredClone(value);
  }
  return result;
}

/**
 * A variant of a real event: plain objects merge, arrays and scalars replace, and `undefined`
 * removes the field (e.g. `{ stage: undefined }`).
 */
export function variant(event: AuditEvent, overrides: Record<string, unknown>): AuditEvent {
  return merge(
    structuredClone(event) as unknown as Record<string, unknown>,
    overrides,
  ) as unknown as AuditEvent;
}

/** The rule's detections for one event, through the engine; fails the test if the rule throws. */
export function detectAll(
  rule: AuditRule,
  event: AuditEvent,
  config: DetectionConfig = DEFAULT_DETECTION_CONFIG,
): Detection[] {
  const result = evaluateAuditEvent(event, { config, now: NOW, cluster: 'prod-eu' }, [rule]);
  if (result.ruleErrors.length > 0)
    throw new Error(`${rule.id} threw: ${String(result.ruleErrors[0]?.error)}`);
  return result.detections;
}

/** The rule's detection for one event, or undefined. */
export function detect(rule: AuditRule, event: AuditEvent, config?: DetectionConfig): Detection | undefined {
  return detectAll(rule, event, config)[0];
}

/** A copy of the default configuration with some fields replaced. */
export function configWith(overrides: Partial<DetectionConfig>): DetectionConfig {
  return { ...DEFAULT_DETECTION_CONFIG, ...overrides };
}

/** RBAC refused the request (not success under the catalog conventions). */
export const DENIED_BY_RBAC = {
  responseStatus: { code: 403, status: 'Failure', reason: 'Forbidden' },
  annotations: { 'authorization.k8s.io/decision': 'forbid', 'authorization.k8s.io/reason': '' },
};

/** Pod Security admission rejects after RBAC allowed: decision allow, code 403. */
export const DENIED_BY_POD_SECURITY = {
  responseStatus: {
    code: 403,
    status: 'Failure',
    reason: 'Forbidden',
    message: 'pods "web" is forbidden: violates PodSecurity "baseline:latest": privileged',
  },
  annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
};

/** RBAC allowed, an admission webhook or validation refused (not success under the conventions). */
export const REJECTED_BY_ADMISSION = {
  responseStatus: { code: 422, status: 'Failure', reason: 'Invalid' },
  annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
};

export const SERVICE_ACCOUNT = {
  user: { username: 'system:serviceaccount:argocd:argocd-application-controller' },
};
export const EKS_IDENTITY = { user: { username: 'eks:addon-manager' } };

/** Every key path of a JSON value (objects and arrays), outermost first. */
export function objectPaths(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => [
    [...prefix, key],
    ...objectPaths(child, [...prefix, key]),
  ]);
}

export function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let current: unknown = target;
  for (const key of path.slice(0, -1)) current = (current as Record<string, unknown>)[key];
  const last = path[path.length - 1];
  if (last !== undefined) (current as Record<string, unknown>)[last] = value;
}

/**
 * Asserts what every rule's metadata must carry: a title, MITRE technique ids (unless the catalog
 * gives none), and responder guidance a person can act on.
 */
export function expectCompleteMetadata(rule: AuditRule, options: { mitre: boolean }): void {
  expect(rule.title.trim()).not.toBe('');
  expect(rule.mitre.length > 0).toBe(options.mitre);
  for (const technique of rule.mitre) expect(technique).toMatch(/^T\d{4}(\.\d{3})?$/);
  for (const text of [
    rule.trigger,
    rule.whatHappened,
    rule.whyItMatters,
    rule.firstResponse,
    rule.falsePositives,
  ]) {
    expect(text.trim().length).toBeGreaterThan(10);
  }
}
