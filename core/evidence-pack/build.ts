import { createHash } from 'node:crypto';
import { auditRecordLine } from '../audit-trail/export.ts';
import type { AuditRecord } from '../audit-trail/record.ts';
import type { StoredFinding } from '../findings/stored-finding.ts';
import { jsonChunks } from '../posture/export/json.ts';
import { batched } from '../posture/export/stream.ts';
import { COMPLIANCE_CATALOG, type ControlCatalog } from './controls.ts';
import type {
  EvidencePack,
  EvidencePackFile,
  EvidencePackManifest,
  EvidencePackRequest,
  EvidencePeriod,
  EvidenceSources,
} from './model.ts';
import { packReadme } from './readme.ts';
import {
  type ActionLine,
  actionLine,
  type FindingLine,
  findingLine,
  inPeriod,
  isActionGroup,
  type SuppressionLine,
  scrubbedRecord,
  suppressionAtEnd,
} from './records.ts';
import { redactSnapshot } from './redact.ts';
import { SummaryAccumulator, summaryHtml, summaryMarkdown } from './summary.ts';

/**
 * Builds an evidence pack (docs/evidence-packs.md has the layout): the records of the half-open
 * period [from, to) and nothing else — every source answer is filtered again by time, so a source
 * that returns too much cannot put another period's record in the pack — with a manifest of every
 * file's SHA-256 and a SHA256SUMS file `sha256sum -c` reads. Pure apart from reading the sources:
 * the time is the request's `generatedAt`.
 */

export interface BuildOptions {
  /** The control mapping the summaries use. @default the repository's table (core/compliance) */
  catalog?: ControlCatalog;
}

/**
 * Where a pack's files go as they are built, one after the other (an archive being written, a
 * directory, memory). A quarter of 50 clusters is thousands of reports — gigabytes of JSON — so no
 * file is ever held whole by the builder: a report is written piece by piece and hashed as it goes.
 */
export interface EvidencePackSink {
  /**
   * Called once, before the first file, with the pack's id: an archive written as the files come
   * (adapters/evidence/pack-archive.ts) names its folder after it.
   */
  begin?(id: string): void | Promise<void>;
  /** Takes one file: `chunks` must be read to its end before the promise resolves. */
  file(path: string, contentType: string, chunks: Iterable<string>): Promise<void>;
}

/** What a written pack is: its id and manifest (`manifest.json`, the last file written, holds it too). */
export interface WrittenEvidencePack {
  id: string;
  manifest: EvidencePackManifest;
}

const JSON_TYPE = 'application/json';
const JSONL_TYPE = 'application/x-ndjson';

/** The pack in memory: for the sizes a Slack request or a month of a few clusters makes. */
export async function buildEvidencePack(
  request: EvidencePackRequest,
  sources: EvidenceSources,
  options: BuildOptions = {},
): Promise<EvidencePack> {
  const files: EvidencePackFile[] = [];
  const sink: EvidencePackSink = {
    file: async (path, contentType, chunks) => {
      let content = '';
      for (const chunk of chunks) content += chunk;
      files.push({ path, content, contentType });
    },
  };
  const { id, manifest } = await writeEvidencePack(request, sources, sink, options);
  return { id, files, manifest };
}

/** Builds the pack into `sink`, file by file; `manifest.json` last. */
export async function writeEvidencePack(
  request: EvidencePackRequest,
  sources: EvidenceSources,
  sink: EvidencePackSink,
  options: BuildOptions = {},
): Promise<WrittenEvidencePack> {
  const { period } = request;
  if (!(Date.parse(period.from) < Date.parse(period.to))) {
    throw new RangeError(`the period must end after it begins: ${period.from} to ${period.to}`);
  }
  const summary = new SummaryAccumulator(options.catalog ?? COMPLIANCE_CATALOG);
  const listed: EvidencePackManifest['files'] = [];
  const add = async (path: string, content: string | Iterable<string>, contentType: string) => {
    const hash = createHash('sha256');
    let bytes = 0;
    let done = false;
    function* hashed(): Generator<string> {
      for (const chunk of typeof content === 'string' ? [content] : content) {
        hash.update(chunk, 'utf8');
        bytes += Buffer.byteLength(chunk, 'utf8');
        yield chunk;
      }
      done = true;
    }
    await sink.file(path, contentType, hashed());
    if (!done) throw new Error(`the pack sink did not read ${path} to its end`);
    listed.push({ path, sha256: hash.digest('hex'), bytes });
  };

  const clusters = [
    ...new Set(request.clusters === 'all' ? await sources.clusters() : request.clusters),
  ].sort();
  const id = packId(request, clusters);
  await sink.begin?.(id);
  const runIndex: string[] = [];
  const usedDirs = new Set<string>();
  for (const cluster of clusters) {
    for await (const run of sources.postureRuns(cluster, period)) {
      const report = run.report;
      if (!inPeriod(report.takenAt, period)) continue;
      const dir = uniqueDir(`posture/${pathSegment(cluster)}/${pathSegment(report.takenAt)}`, usedDirs);
      // One piece per result is millions of sink writes a quarter: pieces of about 64 KB instead.
      await add(`${dir}/report.json`, batched(jsonChunks(report)), JSON_TYPE);
      if (run.snapshot !== undefined) {
        await add(
          `${dir}/snapshot.json`,
          `${JSON.stringify(redactSnapshot(run.snapshot), null, 2)}\n`,
          JSON_TYPE,
        );
      }
      summary.addRun(cluster, report.takenAt, report.results);
      runIndex.push(
        JSON.stringify({
          cluster,
          takenAt: report.takenAt,
          score: report.score,
          summary: report.summary,
          report: `${dir}/report.json`,
          ...(run.snapshot === undefined ? {} : { snapshot: `${dir}/snapshot.json` }),
        }),
      );
    }
  }
  await add('posture/runs.jsonl', lines(runIndex), JSONL_TYPE);

  const { findings, suppressions } = await findingRecords(sources.findings(period), period, clusters);
  for (const line of findings) summary.addFinding(line);
  summary.setSuppressions(suppressions);
  await add('findings.jsonl', lines(findings.map((line) => JSON.stringify(line))), JSONL_TYPE);
  await add('suppressions.json', `${JSON.stringify(suppressions, null, 2)}\n`, JSON_TYPE);

  const { trail, actions } = await trailRecords(sources.auditRecords(period), period, clusters);
  for (const action of actions) summary.addAction(action);
  await add('actions.jsonl', lines(actions.map((line) => JSON.stringify(line))), JSONL_TYPE);
  await add('audit-trail.jsonl', lines(trail.map(auditRecordLine)), JSONL_TYPE);

  for (const framework of request.frameworks) {
    const framed = summary.summarize(framework, period, clusters);
    await add(`summary/${framework}.json`, `${JSON.stringify(framed, null, 2)}\n`, JSON_TYPE);
    await add(`summary/${framework}.md`, summaryMarkdown(framed), 'text/markdown; charset=utf-8');
    await add(`summary/${framework}.html`, summaryHtml(framed), 'text/html; charset=utf-8');
  }

  await add(
    'README.md',
    packReadme({
      id,
      request,
      clusters,
      runs: runIndex.length,
      findings: findings.length,
      actions: actions.length,
      suppressions: suppressions.length,
    }),
    'text/markdown; charset=utf-8',
  );
  await add(
    'SHA256SUMS',
    listed.map((file) => `${file.sha256}  ${file.path}\n`).join(''),
    'text/plain; charset=utf-8',
  );
  const manifest: EvidencePackManifest = {
    packId: id,
    generatedAt: request.generatedAt,
    requestedBy: request.requestedBy,
    period: { from: period.from, to: period.to },
    clusters,
    frameworks: [...request.frameworks],
    files: [...listed],
  };
  await sink.file('manifest.json', JSON_TYPE, [`${JSON.stringify(manifest, null, 2)}\n`]);
  return { id, manifest };
}

export function sha256Hex(content: string): string {
  return createHash('sha256').update(content, 'utf8').digest('hex');
}

function lines(items: readonly string[]): string {
  return items.map((item) => `${item}\n`).join('');
}

/** A path segment that is safe in any archive and file system: `[A-Za-z0-9._-]`, never `.` or `..`. */
export function pathSegment(name: string): string {
  const safe = name.replace(/:/g, '-').replace(/[^A-Za-z0-9._-]/g, '_');
  return safe === '' || /^\.+$/.test(safe) ? `_${safe}` : safe;
}

function uniqueDir(dir: string, used: Set<string>): string {
  let candidate = dir;
  for (let n = 2; used.has(candidate); n++) candidate = `${dir}~${n}`;
  used.add(candidate);
  return candidate;
}

/** The pack id: derived from the request, so the same request at the same time names the same pack. */
function packId(request: EvidencePackRequest, clusters: readonly string[]): string {
  const digest = sha256Hex(
    JSON.stringify([
      request.period.from,
      request.period.to,
      clusters,
      [...request.frameworks],
      request.requestedBy,
      request.generatedAt,
    ]),
  );
  return `ep-${request.period.from.slice(0, 10)}-${request.period.to.slice(0, 10)}-${digest.slice(0, 12)}`;
}

async function findingRecords(
  source: AsyncIterable<StoredFinding>,
  period: EvidencePeriod,
  clusters: readonly string[],
): Promise<{ findings: FindingLine[]; suppressions: SuppressionLine[] }> {
  const wanted = new Set(clusters);
  const seen = new Set<string>();
  const findings: FindingLine[] = [];
  const suppressions: SuppressionLine[] = [];
  for await (const finding of source) {
    if (seen.has(finding.fingerprint)) continue;
    // An image alert may name several clusters; it belongs to the pack when one of them is in it.
    const of = finding.detection.imageVulnerability?.clusters ?? [finding.detection.cluster ?? ''];
    if (!of.some((cluster) => wanted.has(cluster))) continue;
    const line = findingLine(finding, period);
    if (line === undefined) continue;
    seen.add(finding.fingerprint);
    findings.push(line);
    const suppression = suppressionAtEnd(finding, line, period);
    if (suppression !== undefined) suppressions.push(suppression);
  }
  const order = (a: { firstSeen?: string; at?: string; fingerprint: string }, b: typeof a) =>
    (a.firstSeen ?? a.at ?? '').localeCompare(b.firstSeen ?? b.at ?? '') ||
    a.fingerprint.localeCompare(b.fingerprint);
  return { findings: findings.sort(order), suppressions: suppressions.sort(order) };
}

async function trailRecords(
  source: AsyncIterable<AuditRecord>,
  period: EvidencePeriod,
  clusters: readonly string[],
): Promise<{ trail: AuditRecord[]; actions: ActionLine[] }> {
  const wanted = new Set(clusters);
  const byId = new Map<string, AuditRecord>();
  for await (const record of source) {
    if (!inPeriod(record.at, period)) continue;
    // A record without a cluster (help, a digest subscription) is kept: it is not another cluster's.
    if (record.cluster !== undefined && !wanted.has(record.cluster)) continue;
    byId.set(record.id, scrubbedRecord(record));
  }
  const trail = [...byId.values()].sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
  const groups = new Map<string, AuditRecord[]>();
  for (const record of trail) {
    const group = groups.get(record.requestId);
    if (group === undefined) groups.set(record.requestId, [record]);
    else group.push(record);
  }
  const actions = [...groups.values()].filter(isActionGroup).map(actionLine);
  return { trail, actions };
}
