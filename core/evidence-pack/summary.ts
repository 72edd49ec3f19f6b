import type { Control } from '../compliance/controls.ts';
import type { CheckStatus } from '../posture/check.ts';
import type { StatusCounts } from '../posture/report.ts';
import { type ControlCatalog, type ControlRef, controlKey } from './controls.ts';
import { escapeHtml, escapeMarkdown } from './escape.ts';
import type { EvidencePeriod, Framework } from './model.ts';
import type { ActionLine, FindingLine, SuppressionLine } from './records.ts';

/**
 * The summary per control: what the pack holds as evidence for it (check results, findings,
 * actions), the gaps (nothing in the period; checks failing at each cluster's last run) and the
 * exceptions (suppressions in force at the end). Every count is a count of records in the pack's
 * other files, so an auditor can recount it.
 */

export const FRAMEWORK_NAMES: Readonly<Record<Framework, string>> = {
  soc2: 'SOC 2 (2017 Trust Services Criteria)',
  pci: 'PCI DSS v4.0',
  iso27001: 'ISO/IEC 27001:2022 Annex A',
};

export interface CheckEvidence extends StatusCounts {
  checkId: string;
  /** Runs in which the check reported at least one result. */
  runs: number;
}

export interface FailingAtLastRun {
  cluster: string;
  takenAt: string;
  checkId: string;
  failures: number;
}

export interface ControlSummary {
  framework: Framework;
  id: string;
  title: string;
  /** Results of the checks mapped to the control, over every run of the period. */
  results: StatusCounts;
  checks: CheckEvidence[];
  /** Fingerprints of the findings (findings.jsonl) of rules mapped to the control. */
  findings: string[];
  /** Request ids of the actions (actions.jsonl) on those findings. */
  actions: string[];
  /** Suppressions (suppressions.json) of those findings. */
  exceptions: SuppressionLine[];
  gaps: {
    /** No check result, finding or action in the period. */
    noEvidence: boolean;
    failingAtLastRun: FailingAtLastRun[];
  };
}

export interface FrameworkSummary {
  framework: Framework;
  name: string;
  period: EvidencePeriod;
  clusters: string[];
  runs: number;
  controls: ControlSummary[];
}

interface LastRun {
  takenAt: string;
  failures: Map<string, number>;
}

/** Accumulates the pack's records as they are written, then summarizes per control. */
export class SummaryAccumulator {
  private readonly checkControls = new Map<string, readonly ControlRef[]>();
  private readonly checkCounts = new Map<string, CheckEvidence>();
  private readonly lastRuns = new Map<string, LastRun>();
  private runs = 0;
  private readonly findings: FindingLine[] = [];
  private readonly actions: ActionLine[] = [];
  private suppressions: SuppressionLine[] = [];

  private readonly catalog: ControlCatalog;

  constructor(catalog: ControlCatalog) {
    this.catalog = catalog;
  }

  /** One posture run's results (only their check id and status are kept). */
  addRun(
    cluster: string,
    takenAt: string,
    results: Iterable<{ checkId: string; status: CheckStatus }>,
  ): void {
    this.runs += 1;
    const failures = new Map<string, number>();
    const seen = new Set<string>();
    for (const { checkId, status } of results) {
      let counts = this.checkCounts.get(checkId);
      if (counts === undefined) {
        counts = { checkId, pass: 0, fail: 0, skip: 0, runs: 0 };
        this.checkCounts.set(checkId, counts);
      }
      counts[status] += 1;
      if (!seen.has(checkId)) {
        seen.add(checkId);
        counts.runs += 1;
      }
      if (status === 'fail') failures.set(checkId, (failures.get(checkId) ?? 0) + 1);
    }
    const last = this.lastRuns.get(cluster);
    if (last === undefined || Date.parse(takenAt) >= Date.parse(last.takenAt)) {
      this.lastRuns.set(cluster, { takenAt, failures });
    }
  }

  addFinding(line: FindingLine): void {
    this.findings.push(line);
  }

  addAction(line: ActionLine): void {
    this.actions.push(line);
  }

  setSuppressions(lines: SuppressionLine[]): void {
    this.suppressions = lines;
  }

  private controlsOfCheck(checkId: string): readonly ControlRef[] {
    let controls = this.checkControls.get(checkId);
    if (controls === undefined) {
      controls = this.catalog.ofCheck(checkId);
      this.checkControls.set(checkId, controls);
    }
    return controls;
  }

  summarize(framework: Framework, period: EvidencePeriod, clusters: string[]): FrameworkSummary {
    const controls = this.catalog.controls.filter((control) => control.framework === framework);
    const byKey = new Map<string, ControlSummary>(
      controls.map((control) => [controlKey(control), emptySummary(control)]),
    );
    const of = (refs: readonly ControlRef[]) =>
      [...new Set(refs.filter((r) => r.framework === framework).map(controlKey))]
        .map((key) => byKey.get(key))
        .filter((summary): summary is ControlSummary => summary !== undefined);
    for (const counts of [...this.checkCounts.values()].sort((a, b) => a.checkId.localeCompare(b.checkId))) {
      for (const summary of of(this.controlsOfCheck(counts.checkId))) {
        summary.checks.push({ ...counts });
        summary.results.pass += counts.pass;
        summary.results.fail += counts.fail;
        summary.results.skip += counts.skip;
      }
    }
    for (const [cluster, last] of [...this.lastRuns].sort(([a], [b]) => a.localeCompare(b))) {
      for (const [checkId, failures] of [...last.failures].sort(([a], [b]) => a.localeCompare(b))) {
        for (const summary of of(this.controlsOfCheck(checkId))) {
          summary.gaps.failingAtLastRun.push({ cluster, takenAt: last.takenAt, checkId, failures });
        }
      }
    }
    const findingControls = new Map<string, ControlSummary[]>();
    for (const finding of this.findings) {
      const mapped = of(finding.rules.flatMap((rule) => this.catalog.ofRule(rule)));
      findingControls.set(finding.fingerprint, mapped);
      for (const summary of mapped) summary.findings.push(finding.fingerprint);
    }
    for (const action of this.actions) {
      if (action.finding === undefined) continue;
      for (const summary of findingControls.get(action.finding) ?? []) summary.actions.push(action.requestId);
    }
    for (const suppression of this.suppressions) {
      for (const summary of findingControls.get(suppression.fingerprint) ?? []) {
        summary.exceptions.push(suppression);
      }
    }
    for (const summary of byKey.values()) {
      const results = summary.results.pass + summary.results.fail + summary.results.skip;
      summary.gaps.noEvidence =
        results - summary.results.skip === 0 && summary.findings.length === 0 && summary.actions.length === 0;
    }
    return {
      framework,
      name: FRAMEWORK_NAMES[framework],
      period,
      clusters,
      runs: this.runs,
      controls: [...byKey.values()],
    };
  }
}

function emptySummary(control: Control): ControlSummary {
  return {
    framework: control.framework,
    id: control.id,
    title: control.title,
    results: { pass: 0, fail: 0, skip: 0 },
    checks: [],
    findings: [],
    actions: [],
    exceptions: [],
    gaps: { noEvidence: true, failingAtLastRun: [] },
  };
}

/** Items listed by name in a rendered summary; the rest are counted (the records files list them all). */
const LISTED = 20;

function gapCount(control: ControlSummary): number {
  return (control.gaps.noEvidence ? 1 : 0) + control.gaps.failingAtLastRun.length;
}

function resultsText(counts: StatusCounts): string {
  return `${counts.pass} pass, ${counts.fail} fail, ${counts.skip} skip`;
}

function gapLines(control: ControlSummary): string[] {
  const lines: string[] = [];
  if (control.gaps.noEvidence) lines.push('no evidence in the period (no check result, finding or action)');
  for (const gap of control.gaps.failingAtLastRun) {
    lines.push(
      `${gap.checkId} failing on ${gap.cluster} at its last run of the period (${gap.takenAt}): ${gap.failures} failure${gap.failures === 1 ? '' : 's'}`,
    );
  }
  return lines;
}

function exceptionText(exception: SuppressionLine): string {
  return `finding ${exception.fingerprint} (${exception.rules.join(', ')}, ${exception.cluster ?? 'no cluster'}, ${exception.target || 'no target'}) suppressed ${exception.at} by ${exception.by}${exception.until === undefined ? ', no end' : ` until ${exception.until}`}${exception.reason === undefined ? '' : `: ${exception.reason}`}`;
}

function listed<T>(items: readonly T[], text: (item: T) => string): { shown: string[]; more: number } {
  return { shown: items.slice(0, LISTED).map(text), more: Math.max(0, items.length - LISTED) };
}

/** The summary as Markdown; every interpolated value escaped. */
export function summaryMarkdown(summary: FrameworkSummary): string {
  const md = escapeMarkdown;
  const lines: string[] = [
    `# ${md(summary.name)}: control evidence`,
    '',
    `Period: ${md(summary.period.from)} to ${md(summary.period.to)} (the end excluded).`,
    `Clusters: ${summary.clusters.length === 0 ? 'none' : summary.clusters.map(md).join(', ')}. Posture runs: ${summary.runs}.`,
    '',
    'Counts are of records in this pack: check results in `posture/*/*/report.json`, findings in',
    '`findings.jsonl`, actions in `actions.jsonl`, exceptions in `suppressions.json`.',
    '',
    '| Control | Title | Check results | Findings | Actions | Exceptions | Gaps |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const control of summary.controls) {
    lines.push(
      `| ${md(control.id)} | ${md(control.title)} | ${resultsText(control.results)} | ${control.findings.length} | ${control.actions.length} | ${control.exceptions.length} | ${gapCount(control)} |`,
    );
  }
  for (const control of summary.controls) {
    lines.push('', `## ${md(control.id)}: ${md(control.title)}`, '');
    lines.push(`Evidence, ${md(summary.period.from)} to ${md(summary.period.to)}:`, '');
    if (control.checks.length === 0) lines.push('- No check result.');
    for (const check of control.checks) {
      lines.push(`- ${md(check.checkId)}: ${resultsText(check)} over ${check.runs} runs`);
    }
    lines.push(`- Findings: ${control.findings.length}`);
    const findings = listed(control.findings, md);
    for (const fingerprint of findings.shown) lines.push(`  - ${fingerprint}`);
    if (findings.more > 0) lines.push(`  - and ${findings.more} more (findings.jsonl)`);
    lines.push(`- Actions: ${control.actions.length}`);
    const actions = listed(control.actions, md);
    for (const requestId of actions.shown) lines.push(`  - ${requestId}`);
    if (actions.more > 0) lines.push(`  - and ${actions.more} more (actions.jsonl)`);
    lines.push('', `Gaps: ${gapCount(control)}`, '');
    for (const gap of gapLines(control)) lines.push(`- ${md(gap)}`);
    lines.push('', `Exceptions: ${control.exceptions.length}`, '');
    const exceptions = listed(control.exceptions, (e) => md(exceptionText(e)));
    for (const text of exceptions.shown) lines.push(`- ${text}`);
    if (exceptions.more > 0) lines.push(`- and ${exceptions.more} more (suppressions.json)`);
  }
  return `${lines.join('\n')}\n`;
}

const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#111}' +
  'table{border-collapse:collapse;width:100%}th,td{border:1px solid #bbb;padding:.3rem .5rem;text-align:left;vertical-align:top}' +
  'th{background:#eee}.gap{color:#a00}code{font-size:.9em}';

/** The summary as one self-contained HTML page: no script, no external resource, every value escaped. */
export function summaryHtml(summary: FrameworkSummary): string {
  const h = escapeHtml;
  const list = (items: string[]) =>
    items.length === 0 ? '<p>None.</p>' : `<ul>${items.map((item) => `<li>${item}</li>`).join('')}</ul>`;
  const parts: string[] = [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<title>${h(summary.name)}: control evidence</title><style>${STYLE}</style></head><body>`,
    `<h1>${h(summary.name)}: control evidence</h1>`,
    `<p>Period: ${h(summary.period.from)} to ${h(summary.period.to)} (the end excluded).<br>`,
    `Clusters: ${summary.clusters.length === 0 ? 'none' : summary.clusters.map(h).join(', ')}. Posture runs: ${summary.runs}.</p>`,
    '<p>Counts are of records in this pack: check results in <code>posture/*/*/report.json</code>, findings in <code>findings.jsonl</code>, actions in <code>actions.jsonl</code>, exceptions in <code>suppressions.json</code>.</p>',
    '<table><thead><tr><th>Control</th><th>Title</th><th>Check results</th><th>Findings</th><th>Actions</th><th>Exceptions</th><th>Gaps</th></tr></thead><tbody>',
  ];
  for (const control of summary.controls) {
    parts.push(
      `<tr><td><a href="#${h(anchor(control))}">${h(control.id)}</a></td><td>${h(control.title)}</td><td>${resultsText(control.results)}</td><td>${control.findings.length}</td><td>${control.actions.length}</td><td>${control.exceptions.length}</td><td${gapCount(control) > 0 ? ' class="gap"' : ''}>${gapCount(control)}</td></tr>`,
    );
  }
  parts.push('</tbody></table>');
  for (const control of summary.controls) {
    parts.push(`<h2 id="${h(anchor(control))}">${h(control.id)}: ${h(control.title)}</h2>`);
    parts.push(`<h3>Evidence, ${h(summary.period.from)} to ${h(summary.period.to)}</h3>`);
    const checks = control.checks.map((c) => `${h(c.checkId)}: ${resultsText(c)} over ${c.runs} runs`);
    const findings = listed(control.findings, h);
    const actions = listed(control.actions, h);
    parts.push(
      list([
        ...(checks.length === 0 ? ['No check result.'] : checks),
        `Findings: ${control.findings.length}${findings.shown.length === 0 ? '' : `: ${findings.shown.join(', ')}${findings.more > 0 ? ` and ${findings.more} more (findings.jsonl)` : ''}`}`,
        `Actions: ${control.actions.length}${actions.shown.length === 0 ? '' : `: ${actions.shown.join(', ')}${actions.more > 0 ? ` and ${actions.more} more (actions.jsonl)` : ''}`}`,
      ]),
    );
    parts.push(`<h3>Gaps: ${gapCount(control)}</h3>`, list(gapLines(control).map(h)));
    const exceptions = listed(control.exceptions, (e) => h(exceptionText(e)));
    parts.push(
      `<h3>Exceptions: ${control.exceptions.length}</h3>`,
      list([
        ...exceptions.shown,
        ...(exceptions.more > 0 ? [`and ${exceptions.more} more (suppressions.json)`] : []),
      ]),
    );
  }
  parts.push('</body></html>');
  return `${parts.join('\n')}\n`;
}

function anchor(control: ControlRef): string {
  return `${control.framework}-${control.id}`.replace(/[^A-Za-z0-9_-]/g, '-');
}
