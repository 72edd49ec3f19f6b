import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONTROLS, controlKey } from '#core/compliance/controls.ts';
import { controlsOfCheck, controlsOfRule } from '#core/compliance/mapping.ts';
import { buildEvidencePack } from '#core/evidence-pack/build.ts';
import { escapeMarkdown } from '#core/evidence-pack/escape.ts';
import { type EvidencePack, type EvidencePackRequest, FRAMEWORKS } from '#core/evidence-pack/model.ts';
import type { ActionLine, FindingLine, SuppressionLine } from '#core/evidence-pack/records.ts';
import type { FrameworkSummary } from '#core/evidence-pack/summary.ts';
import type { StoredFinding } from '#core/findings/stored-finding.ts';
import type { JsonResult } from '#core/posture/export/json.ts';
import {
  type EvidenceHistory,
  evidenceHistory,
  historySources,
  MIDDLE,
  SENTINEL,
  SENTINEL_KEY,
} from '#test/support/evidence-history.ts';

const FROM = Date.parse(MIDDLE.from);
const TO = Date.parse(MIDDLE.to);
/** Independent of the builder's helper: [from, to). */
const within = (iso: string) => Date.parse(iso) >= FROM && Date.parse(iso) < TO;

const HOSTILE_REASON = '</li><script>alert(1)</script> | `x` <b>bold</b>\nnew line';

function request(overrides: Partial<EvidencePackRequest> = {}): EvidencePackRequest {
  return {
    clusters: 'all',
    period: MIDDLE,
    frameworks: FRAMEWORKS,
    requestedBy: 'cli:auditor',
    generatedAt: '2026-09-01T02:00:00.000Z',
    ...overrides,
  };
}

function file(pack: EvidencePack, path: string): string {
  const found = pack.files.find((f) => f.path === path);
  if (found === undefined) throw new Error(`no ${path} in the pack`);
  return found.content;
}

function jsonLines<T>(text: string): T[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as T);
}

/**
 * Whether the finding was open at some time of the period as the sources port says it (not closed
 * before `from`: one resolved at `from` belongs), segment by segment of its history.
 */
function openInPeriod(finding: StoredFinding): boolean {
  const segments = finding.history.map((entry, i) => ({
    start: Date.parse(entry.at),
    end:
      i + 1 < finding.history.length ? Date.parse((finding.history[i + 1] as { at: string }).at) : Infinity,
    status: entry.status,
  }));
  return segments.some(
    (s) =>
      s.start < TO &&
      s.end >= FROM &&
      s.end > s.start &&
      (s.status === 'open' || s.status === 'acknowledged' || s.status === 'suppressed'),
  );
}

describe('an evidence pack of the middle month of a generated quarter', () => {
  let history: EvidenceHistory;
  let pack: EvidencePack;

  beforeAll(async () => {
    history = evidenceHistory({ clusters: 3, objects: 30, sentinel: true });
    // One suppression reason written to break the summaries' markup.
    const victim = history.findings.find(
      (f) => f.status === 'suppressed' && f.history.at(-1)?.until === undefined,
    );
    const last = victim?.history.at(-1);
    if (last !== undefined) last.reason = HOSTILE_REASON;
    pack = await buildEvidencePack(request(), historySources(history));
  }, 60_000);

  it('holds the posture runs of the period and no other (half-open: the end excluded)', () => {
    const expected = history.runs.filter((run) => within(run.report.takenAt));
    const index = jsonLines<{ cluster: string; takenAt: string; report: string; snapshot: string }>(
      file(pack, 'posture/runs.jsonl'),
    );
    expect(index.map((r) => `${r.cluster} ${r.takenAt}`).sort()).toEqual(
      expected.map((run) => `${run.cluster} ${run.report.takenAt}`).sort(),
    );
    const times = index.map((r) => r.takenAt);
    expect(times).toContain(MIDDLE.from);
    expect(times).toContain(new Date(TO - 1).toISOString());
    expect(times).not.toContain(MIDDLE.to);
    const reports = pack.files.filter((f) => f.path.endsWith('/report.json'));
    const snapshots = pack.files.filter((f) => f.path.endsWith('/snapshot.json'));
    expect(reports).toHaveLength(expected.length);
    expect(snapshots).toHaveLength(expected.length);
    for (const entry of index) {
      const report = JSON.parse(file(pack, entry.report)) as { cluster: string; takenAt: string };
      expect([report.cluster, report.takenAt]).toEqual([entry.cluster, entry.takenAt]);
      expect(JSON.parse(file(pack, entry.snapshot)).takenAt).toBe(entry.takenAt);
    }
  });

  it('holds exactly the findings open at some time of the period, with the lifecycle of the period', () => {
    const lines = jsonLines<FindingLine>(file(pack, 'findings.jsonl'));
    const expected = history.findings.filter(
      (f) => Date.parse(f.firstSeen) < TO && (Date.parse(f.firstSeen) >= FROM || openInPeriod(f)),
    );
    expect(lines.map((l) => l.fingerprint).sort()).toEqual(expected.map((f) => f.fingerprint).sort());
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) {
      const finding = expected.find((f) => f.fingerprint === line.fingerprint) as StoredFinding;
      expect(line.lifecycle.map((e) => `${e.at} ${e.status} ${e.by}`)).toEqual(
        finding.history.filter((e) => within(e.at)).map((e) => `${e.at} ${e.status} ${e.actor}`),
      );
      expect(line.cluster).toBe(finding.detection.cluster);
      expect(line.rules.length).toBeGreaterThan(0);
      if (line.lastSeen !== undefined) expect(Date.parse(line.lastSeen)).toBeLessThan(TO);
    }
    const targets = lines.map((l) => l.target);
    expect(targets).toContain('deployment/first-seen-at-start');
    expect(targets).toContain('deployment/resolved-at-start');
    expect(targets).not.toContain('deployment/first-seen-at-end');
    expect(targets).not.toContain('deployment/resolved-just-before-start');
    const ackAtEnd = lines.find((l) => l.target === 'deployment/acknowledged-at-end');
    expect(ackAtEnd?.statusAtEnd).toBe('open');
    expect(ackAtEnd?.lifecycle).toEqual([]);
    // A lifecycle says when and by whom.
    expect(
      lines.flatMap((l) => l.lifecycle).some((e) => e.status === 'acknowledged' && e.by.startsWith('U0')),
    ).toBe(true);
  });

  it('holds every audit-trail record of the period and the remediation actions grouped by request', () => {
    const trail = jsonLines<{ id: string }>(file(pack, 'audit-trail.jsonl'));
    expect(trail.map((r) => r.id).sort()).toEqual(
      history.records
        .filter((r) => within(r.at))
        .map((r) => r.id)
        .sort(),
    );
    expect(trail.map((r) => r.id)).toContain('straddle:outcome');
    expect(trail.map((r) => r.id)).not.toContain('straddle:request');
    const actions = jsonLines<ActionLine>(file(pack, 'actions.jsonl'));
    const expectedRequests = new Set(
      history.records
        .filter((r) => within(r.at) && (r.kind === 'execute' || r.kind === 'approve'))
        .map((r) => r.requestId),
    );
    expect(actions.map((a) => a.requestId).sort()).toEqual([...expectedRequests].sort());
    for (const action of actions) {
      expect(action.records.every((r) => within(r.at) && r.requestId === action.requestId)).toBe(true);
    }
    const approved = actions.find((a) => a.kind === 'approve' && a.outcome !== undefined);
    expect(approved?.approvedBy).toMatch(/^U0/);
    expect(approved?.plan).toMatch(/^isolate Pod /);
    expect(approved?.decision?.result).toBe('done');
    expect(approved?.outcome?.result).toBe('done');
    const asked = actions.find((a) => a.approverRole !== undefined);
    expect(asked?.approverRole).toBe('responder');
  });

  it('holds the suppressions in force at the end of the period', () => {
    const suppressions = JSON.parse(file(pack, 'suppressions.json')) as SuppressionLine[];
    const lines = jsonLines<FindingLine>(file(pack, 'findings.jsonl'));
    const expected = lines.filter((line) => {
      const finding = history.findings.find((f) => f.fingerprint === line.fingerprint) as StoredFinding;
      const before = finding.history.filter((e) => Date.parse(e.at) < TO).at(-1);
      return before?.status === 'suppressed' && (before.until === undefined || Date.parse(before.until) > TO);
    });
    expect(suppressions.map((s) => s.fingerprint).sort()).toEqual(expected.map((l) => l.fingerprint).sort());
    expect(suppressions.map((s) => s.target)).toContain('deployment/suppressed-past-end');
    expect(suppressions.map((s) => s.target)).not.toContain('deployment/suppressed-until-end');
    expect(suppressions.every((s) => s.by.startsWith('U0'))).toBe(true);
  });

  it('lists every file in the manifest with its SHA-256 and size, and SHA256SUMS passes sha256sum -c', () => {
    const paths = pack.files.map((f) => f.path);
    expect(new Set(paths).size).toBe(paths.length);
    expect(pack.manifest.files.map((f) => f.path).sort()).toEqual(
      paths.filter((p) => p !== 'manifest.json').sort(),
    );
    for (const entry of pack.manifest.files) {
      const content = file(pack, entry.path);
      expect(entry.sha256).toBe(createHash('sha256').update(content, 'utf8').digest('hex'));
      expect(entry.bytes).toBe(Buffer.byteLength(content, 'utf8'));
    }
    expect(JSON.parse(file(pack, 'manifest.json'))).toEqual(pack.manifest);
    const sums = file(pack, 'SHA256SUMS').trimEnd().split('\n');
    expect(sums).toHaveLength(pack.manifest.files.length - 1);
    const dir = mkdtempSync(join(tmpdir(), 'evidence-pack-'));
    try {
      for (const f of pack.files) {
        mkdirSync(dirname(join(dir, f.path)), { recursive: true });
        writeFileSync(join(dir, f.path), f.content);
      }
      const out = execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: dir, encoding: 'utf8' });
      expect(out.trimEnd().split('\n')).toHaveLength(sums.length);
      expect(out).not.toMatch(/FAILED/);
      writeFileSync(join(dir, 'findings.jsonl'), '{}\n');
      expect(() =>
        execFileSync('sha256sum', ['-c', '--quiet', 'SHA256SUMS'], { cwd: dir, stdio: 'pipe' }),
      ).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('holds no secret value in any file (sentinel), though the history holds it everywhere', () => {
    const sources = [
      JSON.stringify(history.runs[0]?.snapshot),
      JSON.stringify(history.findings),
      JSON.stringify(history.records),
    ].join('');
    const base64 = Buffer.from(SENTINEL).toString('base64');
    expect(sources).toContain(SENTINEL);
    expect(sources).toContain(base64);
    expect(sources).toContain(SENTINEL_KEY);
    for (const planted of [
      `"--db-password=${SENTINEL}"`,
      `PGPASSWORD=${SENTINEL} psql`,
      `postgres://payments:${SENTINEL}@`,
      `"example.com/api-token":"${SENTINEL}"`,
    ])
      expect(sources).toContain(planted);
    for (const f of pack.files) {
      expect(f.content.includes(SENTINEL), f.path).toBe(false);
      expect(f.content.includes(base64), f.path).toBe(false);
      expect(f.content.includes(SENTINEL_KEY), f.path).toBe(false);
    }
    // The names and keys stay: evidence needs them.
    const snapshot = pack.files.find((f) => f.path.endsWith('/snapshot.json'))?.content ?? '';
    expect(snapshot).toContain('"payments-db"');
    expect(snapshot).toContain('"DB_PASSWORD"');
    expect(snapshot).toContain('"db-password"');
    // So do the command line and the annotations, their credentials alone replaced.
    expect(snapshot).toContain('"example.com/api-token": "[redacted]"');
    expect(snapshot).toContain('"example.com/owner": "team-payments"');
    expect(snapshot).toContain(
      '"PGPASSWORD=[redacted] psql -h payments-db.payments.svc -U payments -f /migrations/up.sql && exec payments-worker \\"$@\\""',
    );
    expect(snapshot).toContain('"--db-password=[redacted]"');
    expect(snapshot).toContain(
      '"--database-url=postgres://payments:[redacted]@payments-db.payments.svc:5432/payments"',
    );
    expect(snapshot).toContain('"--port=8080"');
    expect(snapshot).toContain('"--password-file=/run/secrets/db"');
  });

  it('has per-control summaries whose counts equal the counts recomputed from the records', () => {
    const index = jsonLines<{ cluster: string; takenAt: string; report: string }>(
      file(pack, 'posture/runs.jsonl'),
    );
    const findings = jsonLines<FindingLine>(file(pack, 'findings.jsonl'));
    const actions = jsonLines<ActionLine>(file(pack, 'actions.jsonl'));
    const suppressions = JSON.parse(file(pack, 'suppressions.json')) as SuppressionLine[];
    const results = new Map<string, { pass: number; fail: number; skip: number }>();
    const lastOf = new Map<string, { takenAt: string; report: string }>();
    for (const run of index) {
      const last = lastOf.get(run.cluster);
      if (last === undefined || run.takenAt > last.takenAt) lastOf.set(run.cluster, run);
      for (const result of (JSON.parse(file(pack, run.report)) as { results: JsonResult[] }).results) {
        for (const control of controlsOfCheck(result.checkId)) {
          const counts = results.get(controlKey(control)) ?? { pass: 0, fail: 0, skip: 0 };
          counts[result.status] += 1;
          results.set(controlKey(control), counts);
        }
      }
    }
    const failing = new Map<string, number>();
    for (const last of lastOf.values()) {
      const checks = new Set(
        (JSON.parse(file(pack, last.report)) as { results: JsonResult[] }).results
          .filter((r) => r.status === 'fail')
          .map((r) => r.checkId),
      );
      for (const checkId of checks) {
        for (const control of controlsOfCheck(checkId)) {
          failing.set(controlKey(control), (failing.get(controlKey(control)) ?? 0) + 1);
        }
      }
    }
    const keysOfFinding = (line: FindingLine) => new Set(line.rules.flatMap(controlsOfRule).map(controlKey));
    for (const framework of FRAMEWORKS) {
      const summary = JSON.parse(file(pack, `summary/${framework}.json`)) as FrameworkSummary;
      const markdown = file(pack, `summary/${framework}.md`);
      const html = file(pack, `summary/${framework}.html`);
      expect(summary.controls.map((c) => c.id)).toEqual(
        CONTROLS.filter((c) => c.framework === framework).map((c) => c.id),
      );
      expect(summary.runs).toBe(index.length);
      for (const control of summary.controls) {
        const key = controlKey(control);
        expect(control.results, key).toEqual(results.get(key) ?? { pass: 0, fail: 0, skip: 0 });
        const mappedFindings = findings.filter((f) => keysOfFinding(f).has(key));
        expect(control.findings.length, key).toBe(mappedFindings.length);
        const fingerprints = new Set(mappedFindings.map((f) => f.fingerprint));
        expect(control.actions.length, key).toBe(
          actions.filter((a) => a.finding !== undefined && fingerprints.has(a.finding)).length,
        );
        expect(control.exceptions.length, key).toBe(
          suppressions.filter((s) => fingerprints.has(s.fingerprint)).length,
        );
        expect(control.gaps.failingAtLastRun.length, key).toBe(failing.get(key) ?? 0);
        const gaps = (control.gaps.noEvidence ? 1 : 0) + control.gaps.failingAtLastRun.length;
        const r = control.results;
        expect(markdown).toContain(
          `| ${escapeMarkdown(control.id)} | ${escapeMarkdown(control.title)} | ${r.pass} pass, ${r.fail} fail, ${r.skip} skip | ${control.findings.length} | ${control.actions.length} | ${control.exceptions.length} | ${gaps} |`,
        );
        expect(html).toContain(`<td>${r.pass} pass, ${r.fail} fail, ${r.skip} skip</td>`);
      }
      // Something is mapped and something is missing: the summary is not trivially empty or full.
      expect(summary.controls.some((c) => c.findings.length > 0)).toBe(true);
      expect(summary.controls.some((c) => c.results.fail > 0)).toBe(true);
    }
  });

  it('escapes what people and clusters wrote: no markup from a reason in the HTML or Markdown summary', () => {
    const html = file(pack, 'summary/soc2.html');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('<b>bold</b>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const markdown = file(pack, 'summary/soc2.md');
    expect(markdown).toContain('\\<script\\>alert(1)\\</script\\> \\| \\`x\\`');
    expect(markdown).not.toContain('\nnew line');
    expect(file(pack, 'README.md')).toContain('sha256sum -c SHA256SUMS');
  });

  it('builds the same pack from sources that answer exactly the period', async () => {
    const exact = await buildEvidencePack(request(), historySources(history, true));
    expect(exact.manifest).toEqual(pack.manifest);
  }, 60_000);

  it('holds only the requested clusters', async () => {
    const one = await buildEvidencePack(request({ clusters: ['cluster-01'] }), historySources(history));
    const clusters = new Set(jsonLines<FindingLine>(file(one, 'findings.jsonl')).map((f) => f.cluster));
    expect([...clusters]).toEqual(['cluster-01']);
    expect(one.files.filter((f) => f.path.startsWith('posture/cluster-00/'))).toEqual([]);
    expect(
      jsonLines<{ cluster?: string }>(file(one, 'audit-trail.jsonl')).every(
        (r) => r.cluster === undefined || r.cluster === 'cluster-01',
      ),
    ).toBe(true);
  }, 60_000);
});
