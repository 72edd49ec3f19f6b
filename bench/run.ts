import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchSuite, Figure } from './figure.ts';

/**
 * `npm run bench [-- --json] [-- SUITE...]`: runs every suite in bench/suites/ (or the named ones)
 * and prints a table, or one JSON object per figure with `--json`.
 */
const args = process.argv.slice(2);
const json = args.includes('--json');
const only = args.filter((a) => !a.startsWith('--'));
const suitesDir = join(dirname(fileURLToPath(import.meta.url)), 'suites');

const files = readdirSync(suitesDir)
  .filter((f) => f.endsWith('.ts'))
  .sort();
const figures: (Figure & { suite: string })[] = [];
for (const file of files) {
  const module = (await import(pathToFileURL(join(suitesDir, file)).href)) as { suite: BenchSuite };
  if (only.length > 0 && !only.includes(module.suite.name)) continue;
  for (const figure of await module.suite.run()) {
    figures.push({ suite: module.suite.name, ...figure });
    if (json)
      process.stdout.write(
        `${JSON.stringify({ name: figure.name, value: figure.value, unit: figure.unit, target: figure.target })}\n`,
      );
  }
}
if (!json) {
  const rows = figures.map((f) => [f.suite, f.name, formatValue(f.value), f.unit, f.target]);
  const header = ['suite', 'figure', 'value', 'unit', 'target'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

function formatValue(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return value >= 100 ? value.toFixed(0) : value.toFixed(3);
}
