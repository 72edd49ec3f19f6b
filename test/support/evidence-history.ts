import { createHash } from 'node:crypto';
import type { AuditRecord } from '#core/audit-trail/record.ts';
import type { EvidencePeriod, EvidenceSources, PostureRun } from '#core/evidence-pack/model.ts';
import { inPeriod } from '#core/evidence-pack/records.ts';
import type { StoredFinding } from '#core/findings/stored-finding.ts';
import type { Detection } from '#core/model/detection.ts';
import { type FindingHistoryEntry, type FindingStatus, openFinding } from '#core/model/finding.ts';
import { runAudit } from '#core/posture/engine.ts';
import type { AuditReport } from '#core/posture/report.ts';
import type { ClusterSnapshot, KubeObject } from '#core/posture/snapshot.ts';
import { loadAwsResponse } from './aws-fixtures.ts';
import { guardDutyDetection } from './detections.ts';
import { generatedCluster } from './generated-cluster.ts';
import { secretConsumerObjects } from './secret-consumer-objects.ts';

/**
 * A generated quarter of kubeguard history, deterministic, for evidence-pack tests and the bench:
 * - posture runs daily at 06:00 UTC for each cluster, real reports (the posture engine over snapshots
 *   of corpus manifests, the secret-consumers fixture and planted secrets), the cluster fixing some
 *   failures half-way; the first cluster also has runs exactly at the middle month's two boundaries;
 * - findings from the GuardDuty fixtures' detections, each with a lifecycle (acknowledged,
 *   suppressed with and without an end, remediated, resolved, reopened), some on the boundaries;
 * - the audit-trail records of those status changes and of remediation runs (some approved by a
 *   second person, some failed, one straddling the middle month's start).
 * With `sentinel`, a unique value is planted wherever a secret can hide: a Secret's data and
 * stringData (and its last-applied annotation), a container env value, a container's command line (a
 * `--db-password=` flag, a `PGPASSWORD=` assignment in a `sh -c` script, a connection URL's password),
 * a custom annotation (`example.com/api-token`), a ConfigMap password key, an AWS DescribeSecret
 * answer, a finding's detection evidence; an AWS-key-shaped one in a person's reason (audit trail and
 * finding history).
 */

export const QUARTER: EvidencePeriod = { from: '2026-07-01T00:00:00.000Z', to: '2026-10-01T00:00:00.000Z' };
/** The middle month. */
export const MIDDLE: EvidencePeriod = { from: '2026-08-01T00:00:00.000Z', to: '2026-09-01T00:00:00.000Z' };
export const SENTINEL = 'kg-sentinel-9b1f4c7e2d';
/** A value `redactText` recognizes as a credential whatever its context (an AWS access key id). */
export const SENTINEL_KEY = 'AKIAKGSENTINEL9B1F4C';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const at = (ms: number) => new Date(ms).toISOString();
const START = Date.parse(QUARTER.from);
const DAYS = Math.round((Date.parse(QUARTER.to) - START) / DAY);

export interface EvidenceHistory {
  clusters: string[];
  runs: PostureRun[];
  findings: StoredFinding[];
  records: AuditRecord[];
}

export interface HistoryOptions {
  clusters?: number;
  /** Objects of each cluster's generated part. @default 60 */
  objects?: number;
  /** Findings per cluster. @default 12 */
  findingsPerCluster?: number;
  sentinel?: boolean;
}

export function clusterName(index: number): string {
  return `cluster-${String(index).padStart(2, '0')}`;
}

/** The objects where a secret hides, named as a real cluster would have them. */
export function plantedObjects(value: string): KubeObject[] {
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'payments-db', namespace: 'payments' },
    type: 'Opaque',
    data: {
      password: Buffer.from(value).toString('base64'),
      username: Buffer.from('payments').toString('base64'),
    },
    stringData: { 'api-token': value },
  };
  const applied = JSON.stringify(secret);
  return [
    {
      ...secret,
      metadata: {
        ...secret.metadata,
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': applied },
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'payments-worker',
        namespace: 'payments',
        annotations: { 'example.com/api-token': value, 'example.com/owner': 'team-payments' },
      },
      spec: {
        selector: { matchLabels: { app: 'payments-worker' } },
        template: {
          metadata: { labels: { app: 'payments-worker' } },
          spec: {
            containers: [
              {
                name: 'worker',
                image: 'registry.example/payments-worker:1.4.2',
                // A migration in a shell script, then the worker with the script's arguments.
                command: [
                  'sh',
                  '-c',
                  `PGPASSWORD=${value} psql -h payments-db.payments.svc -U payments -f /migrations/up.sql && exec payments-worker "$@"`,
                  '--',
                ],
                args: [
                  `--db-password=${value}`,
                  `--database-url=postgres://payments:${value}@payments-db.payments.svc:5432/payments`,
                  '--port=8080',
                  '--password-file=/run/secrets/db',
                ],
                env: [
                  { name: 'DB_PASSWORD', value: value },
                  { name: 'DB_HOST', value: 'payments-db.payments.svc' },
                ],
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'payments-settings', namespace: 'payments' },
      data: { 'db-password': value, 'log-level': 'info' },
    },
  ] as unknown as KubeObject[];
}

function snapshotOf(name: string, objects: number, value: string, fixed: boolean): ClusterSnapshot {
  const base = generatedCluster(objects, name);
  // Half-way through the quarter the team fixes the hostile privileged pod (the first object).
  const generated = fixed ? base.objects.slice(1) : base.objects;
  const describe = loadAwsResponse<Record<string, unknown>>('secretsmanager-describe-secret-rotating.json');
  return {
    ...base,
    objects: [...generated, ...secretConsumerObjects(), ...plantedObjects(value)],
    // A DescribeSecret answer never holds the value; one that did (a future collector) must not leak it.
    aws: { secrets: [{ ...describe, SecretString: value }] },
  };
}

const FIXTURES = [
  'guardduty-eks-privileged-container.json',
  'guardduty-eks-anonymous-access-granted.json',
  'guardduty-eks-exec-in-kube-system-pod.json',
  'guardduty-eks-runtime-new-binary-executed.json',
  'guardduty-eks-runtime-container-mounts-host-directory.json',
  'guardduty-eks-discovery-tor-ip-caller.json',
];

function fingerprint(...parts: (string | number)[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
}

interface Change {
  status: FindingStatus;
  at: number;
  by: string;
  reason?: string;
  until?: number;
}

function storedFinding(
  detection: Detection,
  fp: string,
  firstSeen: number,
  changes: Change[],
): StoredFinding {
  const opened = openFinding(
    { ...detection, firstSeen: at(firstSeen), lastSeen: at(firstSeen), count: 1 },
    at(firstSeen),
  );
  const history: FindingHistoryEntry[] = [
    ...opened.history,
    ...changes.map((change) => ({
      at: at(change.at),
      status: change.status,
      actor: change.by,
      ...(change.reason === undefined ? {} : { reason: change.reason }),
      ...(change.until === undefined ? {} : { until: at(change.until) }),
    })),
  ];
  const reopened = changes.filter((change) => change.status === 'open').map((change) => change.at);
  const lastSeen = Math.max(firstSeen, ...reopened);
  return {
    ...opened,
    fingerprint: fp,
    status: history.at(-1)?.status ?? 'open',
    lastSeen: at(lastSeen),
    occurrences: 1 + reopened.length,
    history,
    version: 1 + changes.length,
    delivery: {
      state: 'delivered',
      attempts: 0,
      channel: 'C0SECURITY',
      unsentOccurrences: 0,
      unsentEvidence: [],
      messageStale: false,
    },
  };
}

const PEOPLE = ['U0ALICE', 'U0BOB', 'U0CAROL', 'U0DAVE'];

/** The lifecycle of the n-th finding: changes after `t0` (its first sighting). */
function lifecycle(n: number, t0: number, reasonSecret: string): Change[] {
  const by = PEOPLE[n % PEOPLE.length] as string;
  switch (n % 6) {
    case 0:
      return [
        { status: 'acknowledged', at: t0 + 2 * HOUR, by },
        { status: 'resolved', at: t0 + 3 * DAY, by, reason: 'fixed in the chart' },
      ];
    case 1:
      return [
        {
          status: 'suppressed',
          at: t0 + HOUR,
          by,
          reason: `expected during the migration ${reasonSecret}`,
          until: t0 + 20 * DAY,
        },
      ];
    case 2:
      return [
        { status: 'acknowledged', at: t0 + HOUR, by },
        { status: 'remediated', at: t0 + 5 * HOUR, by },
        { status: 'resolved', at: t0 + 6 * DAY, by: 'kubeguard', reason: 'no occurrence for 6 days' },
      ];
    case 3:
      return [{ status: 'acknowledged', at: t0 + 30 * 60_000, by }];
    case 4:
      return [{ status: 'suppressed', at: t0 + 4 * HOUR, by, reason: 'accepted risk: break-glass role' }];
    default:
      return [
        { status: 'resolved', at: t0 + DAY, by },
        { status: 'open', at: t0 + 10 * DAY, by: 'kubeguard', reason: 'occurred again after resolved' },
        { status: 'resolved', at: t0 + 12 * DAY, by },
      ];
  }
}

function record(
  requestId: string,
  type: AuditRecord['type'],
  time: number,
  fields: Partial<AuditRecord> & Pick<AuditRecord, 'actor' | 'kind' | 'source'>,
): AuditRecord {
  return { id: `${requestId}:${type}`, requestId, type, at: at(time), ...fields };
}

const KIND_OF: Partial<Record<FindingStatus, string>> = {
  acknowledged: 'ack',
  suppressed: 'suppress',
  resolved: 'resolve',
  remediated: 'remediated',
};

/** The trail of a finding's status changes made by people, and of its remediation run. */
function trailOf(
  finding: StoredFinding,
  cluster: string,
  variant: number,
  reasonSecret: string,
): AuditRecord[] {
  const records: AuditRecord[] = [];
  let previous: FindingStatus = 'open';
  finding.history.slice(1).forEach((entry, index) => {
    const kind = KIND_OF[entry.status];
    if (entry.actor !== 'kubeguard' && kind !== undefined) {
      const requestId = `st-${finding.fingerprint.slice(0, 8)}-${index}`;
      records.push(
        record(requestId, 'outcome', Date.parse(entry.at), {
          actor: entry.actor,
          kind,
          source: 'button',
          cluster,
          finding: finding.fingerprint,
          target: `finding ${finding.fingerprint.slice(0, 8)}`,
          result: 'done',
          detail: `${previous} → ${entry.status}`,
          ...(entry.reason === undefined ? {} : { reason: entry.reason }),
        }),
      );
    }
    previous = entry.status;
  });
  const remediated = finding.history.find((entry) => entry.status === 'remediated');
  if (remediated !== undefined) {
    const t = Date.parse(remediated.at) - 10 * 60_000;
    const requester = remediated.actor;
    const pod = finding.detection.pod ?? 'web-0';
    const facts = {
      cluster,
      finding: finding.fingerprint,
      target: `Pod ${finding.detection.namespace ?? 'default'}/${pod}`,
    };
    const plan = `isolate Pod ${finding.detection.namespace ?? 'default'}/${pod}: label, deny-all NetworkPolicy, forensic bundle`;
    const reason = `contain the incident ${reasonSecret}`;
    const exec = `ex-${finding.fingerprint.slice(0, 8)}`;
    records.push(
      record(exec, 'request', t, {
        actor: requester,
        kind: 'execute',
        source: 'modal',
        result: 'accepted',
        ...facts,
      }),
    );
    if (variant % 4 === 0) {
      const approver = PEOPLE[(variant + 1) % PEOPLE.length] as string;
      const approve = `ap-${finding.fingerprint.slice(0, 8)}`;
      records.push(
        record(exec, 'approval-requested', t + 1000, {
          actor: requester,
          kind: 'execute',
          source: 'modal',
          plan,
          reason,
          role: 'responder',
          detail: 'waits for a second person with the responder role',
          ...facts,
        }),
        record(approve, 'approval', t + 5 * 60_000, {
          actor: approver,
          kind: 'approve',
          source: 'button',
          result: 'done',
          reason,
          detail: `approved by ${approver}; requested by ${requester} (request ${exec})`,
          ...facts,
        }),
        record(approve, 'action', t + 5 * 60_000 + 1000, {
          actor: approver,
          kind: 'approve',
          source: 'button',
          plan,
          reason,
          detail: `requested by ${requester}, approved by ${approver}`,
          ...facts,
        }),
        record(approve, 'outcome', t + 6 * 60_000, {
          actor: approver,
          kind: 'approve',
          source: 'button',
          result: 'done',
          detail: 'isolated; forensic bundle stored',
          ...facts,
        }),
      );
    } else {
      records.push(
        record(exec, 'action', t + 1000, {
          actor: requester,
          kind: 'execute',
          source: 'modal',
          plan,
          reason,
          ...facts,
        }),
        record(exec, 'outcome', t + 60_000, {
          actor: requester,
          kind: 'execute',
          source: 'modal',
          result: variant % 4 === 1 ? 'failed' : 'done',
          detail:
            variant % 4 === 1 ? 'the NetworkPolicy write was refused' : 'isolated; forensic bundle stored',
          ...facts,
        }),
      );
    }
  }
  return records;
}

/** Reports are computed once per cluster and state; each day's run is that report at its time. */
function clusterRuns(name: string, index: number, objects: number, value: string): PostureRun[] {
  const states = [false, true].map((fixed) => {
    const snapshot = snapshotOf(name, objects, value, fixed);
    return { snapshot, report: runAudit(snapshot) };
  });
  const runs: PostureRun[] = [];
  const runAt = (time: number) => {
    const state = states[time < START + 45 * DAY ? 0 : 1] as (typeof states)[number];
    const takenAt = at(time);
    const report: AuditReport = { ...state.report, takenAt };
    runs.push({ cluster: name, report, snapshot: { ...state.snapshot, takenAt } });
  };
  for (let day = 0; day < DAYS; day++) runAt(START + day * DAY + 6 * HOUR);
  if (index === 0) {
    runAt(Date.parse(MIDDLE.from));
    runAt(Date.parse(MIDDLE.to));
    runAt(Date.parse(MIDDLE.to) - 1);
  }
  return runs.sort((a, b) => a.report.takenAt.localeCompare(b.report.takenAt));
}

export function evidenceHistory(options: HistoryOptions = {}): EvidenceHistory {
  const count = options.clusters ?? 3;
  const value = options.sentinel === true ? SENTINEL : 'not-a-sentinel-value';
  const reasonSecret = options.sentinel === true ? `(old key ${SENTINEL_KEY})` : '';
  const clusters = Array.from({ length: count }, (_, i) => clusterName(i));
  const runs = clusters.flatMap((name, i) => clusterRuns(name, i, options.objects ?? 60, value));
  const detections = FIXTURES.map((fixture) => guardDutyDetection(fixture));
  const findings: StoredFinding[] = [];
  const records: AuditRecord[] = [];
  const perCluster = options.findingsPerCluster ?? 12;
  clusters.forEach((cluster, c) => {
    for (let n = 0; n < perCluster; n++) {
      const base = detections[(n + c) % detections.length] as Detection;
      const detection: Detection = {
        ...base,
        cluster,
        namespace: base.namespace ?? 'payments',
        pod: `${base.pod ?? 'web'}-${n}`,
        workload: `deployment/app-${n}`,
        evidence: { ...base.evidence, requestUri: `/api/v1/namespaces/payments/secrets?token=${value}` },
      };
      // Spread over the quarter and the two weeks before it.
      const t0 = START - 14 * DAY + Math.floor(((n + c * 0.37) * (DAYS + 14) * DAY) / perCluster);
      const finding = storedFinding(detection, fingerprint(cluster, n), t0, lifecycle(n, t0, reasonSecret));
      findings.push(finding);
      records.push(...trailOf(finding, cluster, n + c, reasonSecret));
    }
  });
  const first = clusters[0] as string;
  const boundary = guardDutyDetection('guardduty-eks-privileged-container.json', { cluster: first });
  const from = Date.parse(MIDDLE.from);
  const to = Date.parse(MIDDLE.to);
  const edge = (name: string, t0: number, changes: Change[]) => {
    const finding = storedFinding(
      { ...boundary, workload: `deployment/${name}` },
      fingerprint('edge', name),
      t0,
      changes,
    );
    findings.push(finding);
    records.push(...trailOf(finding, first, 1, reasonSecret));
  };
  edge('first-seen-at-end', to, []);
  edge('first-seen-at-start', from, []);
  edge('resolved-just-before-start', from - 5 * DAY, [{ status: 'resolved', at: from - 1, by: 'U0ALICE' }]);
  edge('resolved-at-start', from - 5 * DAY, [{ status: 'resolved', at: from, by: 'U0BOB' }]);
  edge('suppressed-until-end', from - 5 * DAY, [
    { status: 'suppressed', at: from - DAY, by: 'U0CAROL', reason: 'maintenance', until: to },
  ]);
  edge('suppressed-past-end', from - 5 * DAY, [
    { status: 'suppressed', at: from - DAY, by: 'U0CAROL', reason: 'maintenance', until: to + 1 },
  ]);
  edge('acknowledged-at-end', from - 5 * DAY, [{ status: 'acknowledged', at: to, by: 'U0DAVE' }]);
  // A remediation request made just before the month, its outcome in it.
  records.push(
    record('straddle', 'request', from - 60_000, {
      actor: 'U0ALICE',
      kind: 'execute',
      source: 'modal',
      cluster: first,
      result: 'accepted',
    }),
    record('straddle', 'outcome', from + 60_000, {
      actor: 'U0ALICE',
      kind: 'execute',
      source: 'modal',
      cluster: first,
      result: 'done',
      detail: 'isolated',
    }),
  );
  records.sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
  return { clusters, runs, findings, records };
}

async function* each<T>(items: Iterable<T>): AsyncGenerator<T> {
  for (const item of items) yield item;
}

/**
 * The history as pack sources. `exact`: each answer limited to the period as the port says;
 * otherwise every record is returned (a generous source), so the builder's own filter is tested.
 */
export function historySources(history: EvidenceHistory, exact = false): EvidenceSources {
  return {
    clusters: async () => [...history.clusters],
    postureRuns: (cluster, period) =>
      each(
        history.runs.filter(
          (run) => run.cluster === cluster && (!exact || inPeriod(run.report.takenAt, period)),
        ),
      ),
    findings: () => each(history.findings),
    auditRecords: (period) => each(history.records.filter((r) => !exact || inPeriod(r.at, period))),
  };
}
