import type { AuditRecord } from '../audit-trail/record.ts';
import type { Suppression } from '../detection/config.ts';
import { KubeguardError } from '../errors.ts';
import type { StoredFinding } from '../findings/stored-finding.ts';
import type { KubeObject } from '../model/kube-object.ts';
import type { AuditHistoryEntry } from '../posture/history.ts';
import type { AuditReport } from '../posture/report.ts';
import * as z from '../zod.ts';
import { type PostureFacts, postureFactsOf } from './posture-facts.ts';
import type { DigestFrequency } from './subscriptions.ts';

/**
 * The history file of `kubeguard render digest --history FILE` (docs/digests.md): what the stores
 * would hold, in one JSON document, so a digest can be previewed without AWS or Slack.
 *
 * {
 *   "kubeguardDigestHistory": 1,
 *   "at": "2026-12-07T09:00:00Z",            // the digest's end (default: now)
 *   "frequency": "weekly",                    // or "daily" (default weekly)
 *   "clusters": [{
 *     "name": "payments-prod",
 *     "history": [ …audit history entries… ], // as the posture audit stores them
 *     "report": { …kubeguard audit --format json… },   // the latest report: top risks, GuardDuty gaps
 *     "namespaces": [{ "name": "payments", "labels": { "owner": "team-payments" } }]
 *   }],
 *   "findings": [ …stored findings… ], "auditTrail": [ …audit records… ], "suppressions": [ … ]
 * }
 *
 * Entries, findings and records are checked for the fields the digest reads; a malformed one is an
 * INVALID_ARGUMENT naming its place in the file.
 */
export interface DigestHistoryFile {
  at?: string;
  frequency: DigestFrequency;
  clusters: string[];
  history: AuditHistoryEntry[];
  facts: PostureFacts[];
  findings: StoredFinding[];
  trail: AuditRecord[];
  suppressions?: Suppression[];
}

const count = () => z.int().check(z.minimum(0));
const counts = z.object({ pass: count(), fail: count(), skip: count() });
const severity = z.enum(['low', 'medium', 'high', 'critical']);
const isoTime = z
  .string()
  .check(z.refine((text) => Number.isFinite(Date.parse(text)), 'must be an ISO-8601 time'));
const entrySchema = z.looseObject({
  cluster: z.string(),
  takenAt: isoTime,
  score: z.number().check(z.minimum(0), z.maximum(100)),
  summary: counts,
  failures: z.object({ low: count(), medium: count(), high: count(), critical: count() }),
  categories: z.record(z.string(), counts),
});
const reportSchema = z.looseObject({
  results: z.array(
    z.looseObject({
      checkId: z.string(),
      status: z.enum(['pass', 'fail', 'skip']),
      severity,
      object: z.looseObject({ kind: z.string(), namespace: z.optional(z.string()), name: z.string() }),
      message: z.string(),
    }),
  ),
  checks: z.array(z.looseObject({ id: z.string(), title: z.string() })),
  takenAt: z.optional(isoTime),
});
const findingSchema = z.looseObject({
  fingerprint: z.string(),
  status: z.enum(['open', 'acknowledged', 'suppressed', 'remediated', 'resolved']),
  detection: z.looseObject({
    ruleId: z.string(),
    title: z.string(),
    severity,
    cluster: z.optional(z.string()),
  }),
  occurrences: z.number(),
  firstSeen: isoTime,
  lastSeen: isoTime,
  history: z.array(z.looseObject({ at: isoTime, status: z.string(), actor: z.string() })),
  delivery: z.looseObject({ state: z.enum(['pending', 'delivered', 'quiet']) }),
});
const recordSchema = z.looseObject({
  id: z.string(),
  type: z.string(),
  at: isoTime,
  actor: z.string(),
  kind: z.string(),
});
const fileSchema = z.object({
  kubeguardDigestHistory: z.literal(1),
  at: z.optional(isoTime),
  frequency: z._default(z.enum(['weekly', 'daily']), 'weekly'),
  clusters: z
    .array(
      z.object({
        name: z.string().check(z.minLength(1)),
        history: z._default(z.array(entrySchema), []),
        report: z.optional(reportSchema),
        namespaces: z._default(
          z.array(z.object({ name: z.string(), labels: z._default(z.record(z.string(), z.string()), {}) })),
          [],
        ),
      }),
    )
    .check(z.minLength(1, 'list at least one cluster')),
  findings: z._default(z.array(findingSchema), []),
  auditTrail: z._default(z.array(recordSchema), []),
  suppressions: z.optional(
    z.array(
      z.object({
        ruleId: z.optional(z.string()),
        cluster: z.optional(z.string()),
        namespace: z.optional(z.string()),
        principal: z.optional(z.string()),
        until: isoTime,
        reason: z.string(),
      }),
    ),
  ),
});

/** Validates a parsed history file; `ownerLabel` names the namespace label of owners. */
export function parseDigestHistoryFile(
  raw: unknown,
  ownerLabel: string,
  source = 'history file',
): DigestHistoryFile {
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where =
      issue === undefined || issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.');
    throw new KubeguardError(
      'INVALID_ARGUMENT',
      `${source}: ${where}: ${issue?.message ?? 'invalid'} — see docs/digests.md for the format (test/fixtures/digest/history.json is an example)`,
    );
  }
  const file = parsed.data;
  const facts: PostureFacts[] = [];
  for (const cluster of file.clusters) {
    if (cluster.report === undefined) continue;
    const namespaces: KubeObject[] = cluster.namespaces.map((namespace) => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: namespace.name, labels: namespace.labels },
    }));
    const takenAt =
      cluster.report.takenAt ?? cluster.history.at(-1)?.takenAt ?? file.at ?? '1970-01-01T00:00:00.000Z';
    const report = { ...cluster.report, cluster: cluster.name, takenAt } as unknown as AuditReport;
    facts.push(postureFactsOf(report, namespaces, ownerLabel));
  }
  return {
    ...(file.at === undefined ? {} : { at: file.at }),
    frequency: file.frequency,
    clusters: file.clusters.map((cluster) => cluster.name),
    history: file.clusters.flatMap((cluster) =>
      cluster.history.map((entry) => ({ ...(entry as unknown as AuditHistoryEntry), cluster: cluster.name })),
    ),
    facts,
    findings: file.findings as unknown as StoredFinding[],
    trail: file.auditTrail as unknown as AuditRecord[],
    ...(file.suppressions === undefined ? {} : { suppressions: file.suppressions as Suppression[] }),
  };
}
