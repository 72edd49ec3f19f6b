import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type LoadedObject, parseManifests } from '#core/manifests/load.ts';
import { POD_KINDS } from '#core/policy-as-code/checks.ts';
import type { CheckOptions } from '#core/posture/check.ts';
import { runAudit } from '#core/posture/engine.ts';
import { snapshotFromManifests } from '#core/posture/manifest-snapshot.ts';
import type { AuditReport } from '#core/posture/report.ts';
import type { AdmissionRequest } from './admission-policy.ts';
import { FIXTURES_DIR } from './fixtures.ts';

/**
 * The manifests the policy generator is proven on: the 30 labelled manifests of the public corpus
 * and test/fixtures/policy-as-code/edge-workloads.yaml. Auditing all of them fails every check of
 * the policy-as-code scope, so the report generates every policy.
 */

export const CORPUS_DIR = join(FIXTURES_DIR, 'corpus', 'public', 'manifests');
export const EDGE_FILE = join(FIXTURES_DIR, 'policy-as-code', 'edge-workloads.yaml');
export const TAKEN_AT = '2026-12-03T12:00:00.000Z';
/** Registries KP-086 approves in these tests: the account's ECR and one org on GHCR. */
export const APPROVED_REGISTRIES = ['123456789012.dkr.ecr.eu-west-1.amazonaws.com', 'ghcr.io/acme/'];
export const AUDIT_OPTIONS: CheckOptions = { approvedRegistries: APPROVED_REGISTRIES };

export interface LabelledManifest {
  file: string;
  checksEvaluated: string[];
  expectedFailing: string[];
}

export function corpusLabels(): LabelledManifest[] {
  const labels = JSON.parse(readFileSync(join(CORPUS_DIR, '..', 'manifest-labels.json'), 'utf8')) as {
    labels: Record<string, { checks_evaluated: string[]; expected_failing: string[] }>;
  };
  return Object.entries(labels.labels).map(([file, label]) => ({
    file,
    checksEvaluated: label.checks_evaluated,
    expectedFailing: label.expected_failing,
  }));
}

export function corpusFiles(): string[] {
  return readdirSync(CORPUS_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => join(CORPUS_DIR, f));
}

export function loadObjects(path: string): LoadedObject[] {
  const parsed = parseManifests(readFileSync(path, 'utf8'), path);
  if (parsed.errors.length > 0) throw new Error(`${path}: ${JSON.stringify(parsed.errors)}`);
  return parsed.objects;
}

/** The audit of every corpus manifest and the edge workloads (one snapshot, as `kubeguard audit -f`). */
export function auditEverything(): AuditReport {
  const objects = [...corpusFiles(), EDGE_FILE].flatMap(loadObjects);
  return runAudit(snapshotFromManifests(objects, TAKEN_AT, 'corpus'), undefined, AUDIT_OPTIONS);
}

/**
 * An object as the API server hands it to admission: decoded into its Go type, so a `null` field
 * (YAML `key:` with nothing after it) is absent. (Defaulting is not applied: see
 * docs/policy-as-code.md.)
 */
export function asAdmitted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asAdmitted);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, item]) => item !== null && item !== undefined)
      .map(([key, item]) => [key, asAdmitted(item)]),
  );
}

/** The CREATE request of a Pod or workload object, as the API server builds it. */
export function createRequest(object: LoadedObject['object']): AdmissionRequest | undefined {
  const kind = POD_KINDS.find((k) => k.kind === object.kind);
  if (kind === undefined) return undefined;
  const namespace = object.metadata?.namespace ?? 'default';
  return {
    operation: 'CREATE',
    resource: { group: kind.group, version: 'v1', resource: kind.resource },
    kind: { group: kind.group, version: 'v1', kind: kind.kind },
    namespace,
    name: String(object.metadata?.name ?? ''),
    userInfo: { username: 'alice', groups: ['system:authenticated'] },
    object: asAdmitted({
      ...object,
      metadata: { ...object.metadata, namespace },
    }) as AdmissionRequest['object'],
    oldObject: null,
  };
}
