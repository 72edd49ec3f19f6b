/**
 * The checkov baseline: which of checkov's CloudFormation findings on kubeguard's synthesized templates
 * are accepted, each with its reason (infra/checkov-baseline.json, docs/decisions.md D58). Pure: parsing
 * checkov's report, comparing it with the baseline and rewriting the baseline; scripts/checkov.ts runs
 * the synthesis and checkov.
 */

/** One failed check on one resource of one stack, as checkov reports it. */
export interface Finding {
  readonly check: string;
  readonly stack: string;
  readonly resource: string;
}

/** A finding accepted on purpose. */
export interface BaselineEntry extends Finding {
  readonly reason: string;
}

/** What `--update` writes for a finding nobody has explained yet; the check mode refuses it. */
export const TODO_REASON = 'TODO';

export function findingKey(finding: Finding): string {
  return `${finding.check} ${finding.stack} ${finding.resource}`;
}

function compareFindings(a: Finding, b: Finding): number {
  return (
    a.stack.localeCompare(b.stack, 'en') ||
    a.resource.localeCompare(b.resource, 'en') ||
    a.check.localeCompare(b.check, 'en', { numeric: true })
  );
}

interface CheckovFailedCheck {
  check_id?: unknown;
  resource?: unknown;
  file_path?: unknown;
}

interface CheckovReport {
  check_type?: unknown;
  results?: { failed_checks?: CheckovFailedCheck[] };
}

/** `/tmp/…/Kubeguard-Stateful.template.json` → `Kubeguard-Stateful` (the stack's artifact id). */
export function stackOfTemplate(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1).replace(/\.template\.json$/, '');
}

/**
 * The failed checks of checkov's `--output json` report. checkov prints one report object per
 * framework (a list when several ran) and, when it finds nothing to scan, an empty summary; a resource
 * is reported as `AWS::Type.LogicalId`, its template as `file_path`.
 */
export function parseCheckovReport(json: string): Finding[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new Error(`checkov's report is not JSON (${(error as Error).message}): ${json.slice(0, 200)}`);
  }
  const reports = (Array.isArray(parsed) ? parsed : [parsed]) as CheckovReport[];
  return reports
    .filter((report) => report.check_type === 'cloudformation')
    .flatMap((report) => report.results?.failed_checks ?? [])
    .map((failed) => {
      const { check_id: check, resource, file_path: file } = failed;
      if (typeof check !== 'string' || typeof resource !== 'string' || typeof file !== 'string') {
        throw new Error(
          `checkov reported a failed check without check_id, resource or file_path: ${JSON.stringify(failed).slice(0, 200)}`,
        );
      }
      return { check, stack: stackOfTemplate(file), resource: resource.slice(resource.lastIndexOf('.') + 1) };
    });
}

/** Reads infra/checkov-baseline.json's text; every malformed entry is named with its index. */
export function parseBaseline(text: string, source: string): BaselineEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source} is not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(parsed)) {
    throw new Error(`${source} must be a JSON array of { check, stack, resource, reason } entries`);
  }
  return parsed.map((entry: unknown, index) => {
    const fields = entry as Record<string, unknown>;
    for (const field of ['check', 'stack', 'resource', 'reason']) {
      const value = fields?.[field];
      if (typeof value !== 'string' || value.trim() === '') {
        throw new Error(`${source}: entry ${index}: "${field}" must be a non-empty string`);
      }
    }
    return {
      check: fields.check as string,
      stack: fields.stack as string,
      resource: fields.resource as string,
      reason: fields.reason as string,
    };
  });
}

export interface Comparison {
  /** Failed checks the baseline does not list: fix them or add them with a reason. */
  readonly added: Finding[];
  /** Baseline entries checkov no longer reports: remove them. */
  readonly stale: BaselineEntry[];
  /** Baseline entries still waiting for their reason. */
  readonly todo: BaselineEntry[];
  /** Entries listed twice. */
  readonly duplicates: BaselineEntry[];
}

export function compareWithBaseline(
  findings: readonly Finding[],
  baseline: readonly BaselineEntry[],
): Comparison {
  const found = new Set(findings.map(findingKey));
  const listed = new Set<string>();
  const duplicates: BaselineEntry[] = [];
  for (const entry of baseline) {
    const key = findingKey(entry);
    if (listed.has(key)) duplicates.push(entry);
    listed.add(key);
  }
  const added = [...new Map(findings.map((f) => [findingKey(f), f])).values()]
    .filter((finding) => !listed.has(findingKey(finding)))
    .sort(compareFindings);
  return {
    added,
    stale: baseline.filter((entry) => !found.has(findingKey(entry))),
    todo: baseline.filter((entry) => entry.reason.trim() === TODO_REASON),
    duplicates,
  };
}

export function isClean(comparison: Comparison): boolean {
  return (
    comparison.added.length === 0 &&
    comparison.stale.length === 0 &&
    comparison.todo.length === 0 &&
    comparison.duplicates.length === 0
  );
}

/**
 * The baseline for these findings: existing entries keep their reason, new ones get TODO, entries of
 * findings that no longer occur are dropped. Sorted by stack, resource and check so that diffs stay small.
 */
export function updatedBaseline(
  findings: readonly Finding[],
  baseline: readonly BaselineEntry[],
): BaselineEntry[] {
  const reasons = new Map(baseline.map((entry) => [findingKey(entry), entry.reason]));
  const unique = [...new Map(findings.map((f) => [findingKey(f), f])).values()];
  return unique.sort(compareFindings).map((f) => ({
    check: f.check,
    stack: f.stack,
    resource: f.resource,
    reason: reasons.get(findingKey(f)) ?? TODO_REASON,
  }));
}

export function baselineText(entries: readonly BaselineEntry[]): string {
  return `${JSON.stringify(entries, null, 2)}\n`;
}

/**
 * The check mode's listing: one line per problem; a new finding whose check is already accepted on
 * other resources says so, since their reasons may hold for it too (or may not: write its own).
 */
export function describeComparison(comparison: Comparison, baseline: readonly BaselineEntry[]): string[] {
  const lines: string[] = [];
  const explained = new Map<string, number>();
  for (const entry of baseline) {
    if (entry.reason !== TODO_REASON) explained.set(entry.check, (explained.get(entry.check) ?? 0) + 1);
  }
  for (const finding of comparison.added) {
    const others = explained.get(finding.check) ?? 0;
    const hint =
      others === 0 ? '' : ` (accepted with a reason on ${others} other resource${others === 1 ? '' : 's'})`;
    lines.push(`new finding: ${finding.check} on ${finding.stack} ${finding.resource}${hint}`);
  }
  for (const entry of comparison.stale) {
    lines.push(`no longer reported (remove it): ${entry.check} on ${entry.stack} ${entry.resource}`);
  }
  for (const entry of comparison.todo) {
    lines.push(`reason missing (replace "TODO"): ${entry.check} on ${entry.stack} ${entry.resource}`);
  }
  for (const entry of comparison.duplicates) {
    lines.push(`listed twice: ${entry.check} on ${entry.stack} ${entry.resource}`);
  }
  return lines;
}
