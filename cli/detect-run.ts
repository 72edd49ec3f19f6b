import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { DetectionConfig } from '#core/detection/config.ts';
import { analyzeStream, InputAnalyzer, type InputDetection } from '#core/ingest/detect-input.ts';
import { type Input, InputError, printable } from './input-files.ts';
import type { CliIo } from './io.ts';

/**
 * The streaming run shared by `detect` and `render alert`: every input read as a stream through one
 * analyzer (one KD-061 counter, one set of reported (request, rule) keys for the whole run), each
 * detection handed on as soon as its batch is analysed, malformed and skipped records reported on
 * stderr as they are found, and the totals the exit code is decided from.
 */
export interface RunTotals {
  records: number;
  detections: number;
  malformed: number;
  skipped: number;
  /** Export documents recognized (filter-log-events, get-findings, EventList), even when empty. */
  exports: number;
  /** Rules that threw, and batches whose KD-061 burst could not be evaluated. */
  incomplete: number;
  /** Inputs that could not be read as text (binary data, broken gzip). */
  unreadable: number;
  bytes: number;
}

export interface RunOptions {
  now: string;
  config: DetectionConfig;
  lenient: boolean;
  cluster?: string;
}

/**
 * A full garbage collection every 64 MB of input. V8 sizes its heap by how much survives, and a
 * stream's short-lived records survive a young collection often enough that the heap (and the
 * process) kept growing with the input — 420 MB after 1 GB — though little was alive. A full
 * collection of a heap of a few tens of MB takes milliseconds: ~30 of them for 2 GB.
 */
const FULL_GC_EVERY_BYTES = 64 * 1024 * 1024;

let collector: (() => void) | undefined;
function fullGc(): void {
  if (collector === undefined) {
    // `gc` exists only in contexts created after --expose-gc is set: a new one lends it.
    setFlagsFromString('--expose-gc');
    collector = runInNewContext('gc') as () => void;
  }
  collector();
}

export async function runInputs(
  inputs: readonly Input[],
  options: RunOptions,
  io: CliIo,
  onDetection: (found: InputDetection, input: Input) => void,
): Promise<RunTotals> {
  const analyzer = new InputAnalyzer({ now: options.now, config: options.config });
  const totals: RunTotals = {
    records: 0,
    detections: 0,
    malformed: 0,
    skipped: 0,
    exports: 0,
    incomplete: 0,
    unreadable: 0,
    bytes: 0,
  };
  const say = (text: string) => io.stderr(`${printable(text)}\n`);
  let collectedAt = 0;
  for (const input of inputs) {
    try {
      await analyzeStream(
        input.text(),
        { analyzer, lenient: options.lenient, cluster: options.cluster },
        (analysis) => {
          const read = totals.bytes + input.bytesRead();
          if (read - collectedAt >= FULL_GC_EVERY_BYTES) {
            collectedAt = read;
            fullGc();
          }
          for (const found of analysis.detections) onDetection(found, input);
          for (const bad of analysis.malformed) say(`${input.name}:${bad.line}: malformed: ${bad.reason}`);
          for (const skip of analysis.skipped) say(`${input.name}:${skip.line}: skipped: ${skip.reason}`);
          if (analysis.burstFailure !== undefined) {
            say(`${input.name}: KD-061 burst not evaluated: ${analysis.burstFailure}`);
            totals.incomplete += 1;
          }
          for (const failure of analysis.ruleFailures) {
            say(
              `${input.name}:${failure.line}: rule ${failure.ruleId} failed on audit event ${failure.auditId}: ${failure.message}`,
            );
          }
          totals.incomplete += analysis.ruleFailures.length;
          totals.records += analysis.records;
          totals.detections += analysis.detections.length;
          totals.malformed += analysis.malformed.length;
          totals.skipped += analysis.skipped.length;
          totals.exports += analysis.exports;
        },
      );
    } catch (error) {
      if (!(error instanceof InputError) && !isReadError(error)) throw error;
      totals.unreadable += 1;
      say(`${input.name}: unreadable: ${(error as Error).message}`);
    }
    totals.bytes += input.bytesRead();
  }
  return totals;
}

function isReadError(error: unknown): boolean {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string';
}

/** The totals line on stderr (unchanged format: scripts read it). */
export function totalsLine(totals: RunTotals): string {
  const skipped = totals.skipped > 0 ? `, skipped: ${totals.skipped}` : '';
  return `records: ${totals.records}, detections: ${totals.detections}, malformed: ${totals.malformed}${skipped}\n`;
}

/**
 * Why the input makes the run exit 2, if it does: nothing usable in it (empty, nothing parseable,
 * every record malformed, binary), or — with --strict — any record that could not be used.
 * Records understood but not relevant (control messages, other log streams, GuardDuty findings about
 * other resources) are skipped, never errors (decision D51).
 */
export function inputProblem(totals: RunTotals, strict: boolean): string | undefined {
  const usable = totals.records + totals.skipped + totals.exports;
  if (usable === 0) {
    if (totals.malformed > 0) {
      return `nothing usable: every record (${totals.malformed}) is malformed; see the reasons above`;
    }
    if (totals.unreadable > 0) return 'nothing usable: the input is not text (see above)';
    return totals.bytes === 0
      ? 'no input: the input is empty; pass an export of audit logs or GuardDuty findings'
      : 'no input: the input holds no record (only blank lines)';
  }
  const unusable = totals.malformed + totals.unreadable + totals.incomplete;
  if (strict && unusable > 0) {
    const parts = [
      totals.malformed > 0 ? `${totals.malformed} malformed record(s)` : undefined,
      totals.unreadable > 0 ? `${totals.unreadable} unreadable input(s)` : undefined,
      totals.incomplete > 0 ? `${totals.incomplete} incomplete analysis step(s)` : undefined,
    ].filter((part) => part !== undefined);
    return `--strict: ${parts.join(', ')}; every record must be usable (pass --no-strict to report them and go on)`;
  }
  return undefined;
}
