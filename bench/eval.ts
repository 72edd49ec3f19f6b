import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_DETECTION_CONFIG } from '../core/detection/config.ts';
import { parseAuditEvent } from '../core/detection/decode-audit.ts';
import { evaluateAuditEvent } from '../core/detection/engine.ts';
import { AUDIT_RULES } from '../core/detection/registry.ts';

/**
 * `npm run eval`: precision and recall of every audit-log rule on the public labelled corpus
 * (test/fixtures/corpus/public), per rule, for the 27 core rules together and for every labelled
 * rule together (micro-averaged). Each line is evaluated alone, with default allow-lists and no
 * configuration, as the labels were made; the KD-061 burst (stateful) is not part of it. Exits
 * non-zero only on errors (unreadable corpus, a line that does not decode, a rule that throws),
 * never because of a score.
 */

const CORPUS = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures', 'corpus', 'public');
const NOW = '2026-01-01T00:00:00.000Z';

/** The core rules (★ in the catalog), as the rules' metadata marks them (corpus-core.test.ts checks the set). */
const CORE_RULE_IDS = AUDIT_RULES.filter((rule) => rule.core).map((rule) => rule.id);

interface Labels {
  _meta: { labeled_rule_scope: string[] };
  labels: Record<string, { rules: string[] }>;
}

export interface Score {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
}

export interface CorpusScores {
  lines: number;
  perRule: Map<string, Score>;
  /** `line N: …` for lines that did not decode or rules that threw. */
  errors: string[];
  /** Per rule, the lines where it fired without a label (FP) or missed one (FN). */
  misses: Map<string, { falsePositiveLines: number[]; falseNegativeLines: number[] }>;
}

function emptyScore(): Score {
  return { truePositives: 0, falsePositives: 0, falseNegatives: 0 };
}

export function scoreCorpus(): CorpusScores {
  const labels = JSON.parse(readFileSync(join(CORPUS, 'audit-labels.json'), 'utf8')) as Labels;
  const scope = labels._meta.labeled_rule_scope;
  const lines = readFileSync(join(CORPUS, 'audit-events.jsonl'), 'utf8').split('\n');
  const perRule = new Map(scope.map((id) => [id, emptyScore()]));
  const misses = new Map(
    scope.map((id) => [id, { falsePositiveLines: [] as number[], falseNegativeLines: [] as number[] }]),
  );
  const errors: string[] = [];
  let count = 0;
  lines.forEach((text, index) => {
    if (text.trim() === '') return;
    const line = index + 1;
    count += 1;
    let fired: Set<string>;
    try {
      const event = parseAuditEvent(JSON.parse(text), { lenient: true, fallbackAuditId: `line-${line}` });
      const result = evaluateAuditEvent(event, { config: DEFAULT_DETECTION_CONFIG, now: NOW });
      for (const failure of result.ruleErrors)
        errors.push(`line ${line}: rule ${failure.ruleId} threw ${String(failure.error)}`);
      fired = new Set(result.detections.map((d) => d.ruleId));
    } catch (error) {
      errors.push(`line ${line}: ${(error as Error).message}`);
      return;
    }
    const expected = new Set(labels.labels[String(line)]?.rules ?? []);
    for (const id of scope) {
      const score = perRule.get(id) as Score;
      const miss = misses.get(id) as { falsePositiveLines: number[]; falseNegativeLines: number[] };
      if (fired.has(id) && expected.has(id)) score.truePositives += 1;
      else if (fired.has(id)) {
        score.falsePositives += 1;
        miss.falsePositiveLines.push(line);
      } else if (expected.has(id)) {
        score.falseNegatives += 1;
        miss.falseNegativeLines.push(line);
      }
    }
  });
  return { lines: count, perRule, errors, misses };
}

export function sum(scores: readonly Score[]): Score {
  return scores.reduce(
    (total, s) => ({
      truePositives: total.truePositives + s.truePositives,
      falsePositives: total.falsePositives + s.falsePositives,
      falseNegatives: total.falseNegatives + s.falseNegatives,
    }),
    emptyScore(),
  );
}

/** undefined when the rule never fired (precision) or was never labelled (recall). */
export function precision(s: Score): number | undefined {
  const fired = s.truePositives + s.falsePositives;
  return fired === 0 ? undefined : s.truePositives / fired;
}

export function recall(s: Score): number | undefined {
  const labelled = s.truePositives + s.falseNegatives;
  return labelled === 0 ? undefined : s.truePositives / labelled;
}

function ratio(value: number | undefined): string {
  return value === undefined ? '—' : value.toFixed(3);
}

function table(rows: string[][]): string {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function lineList(lines: number[]): string {
  if (lines.length === 0) return '';
  const shown = lines.slice(0, 8).join(',');
  return lines.length > 8 ? `${shown},… (${lines.length})` : shown;
}

function report(scores: CorpusScores): string {
  const registered = new Set(AUDIT_RULES.map((rule) => rule.id));
  const header = ['rule', 'core', 'TP', 'FP', 'FN', 'precision', 'recall', 'FP lines', 'FN lines'];
  const rows = [...scores.perRule].map(([id, s]) => {
    const miss = scores.misses.get(id);
    return [
      registered.has(id) ? id : `${id} (not registered)`,
      CORE_RULE_IDS.includes(id) ? '★' : '',
      String(s.truePositives),
      String(s.falsePositives),
      String(s.falseNegatives),
      ratio(precision(s)),
      ratio(recall(s)),
      lineList(miss?.falsePositiveLines ?? []),
      lineList(miss?.falseNegativeLines ?? []),
    ];
  });
  const aggregate = (name: string, ids: string[]) => {
    const s = sum(ids.map((id) => scores.perRule.get(id) ?? emptyScore()));
    return [
      name,
      '',
      String(s.truePositives),
      String(s.falsePositives),
      String(s.falseNegatives),
      ratio(precision(s)),
      ratio(recall(s)),
      '',
      '',
    ];
  };
  const divider = header.map(() => '');
  return [
    `Public corpus: ${scores.lines} audit events, each evaluated alone (default allow-lists, no configuration).`,
    '',
    table([
      header,
      ...rows,
      divider,
      aggregate(`core (${CORE_RULE_IDS.length} rules)`, CORE_RULE_IDS),
      aggregate(`all (${scores.perRule.size} rules)`, [...scores.perRule.keys()]),
    ]),
    '',
  ].join('\n');
}

function main(): number {
  let scores: CorpusScores;
  try {
    scores = scoreCorpus();
  } catch (error) {
    process.stderr.write(`eval: cannot read the corpus in ${CORPUS}: ${(error as Error).message}\n`);
    return 1;
  }
  process.stdout.write(report(scores));
  for (const error of scores.errors) process.stderr.write(`eval: ${error}\n`);
  return scores.errors.length > 0 ? 1 : 0;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1])
  process.exitCode = main();
