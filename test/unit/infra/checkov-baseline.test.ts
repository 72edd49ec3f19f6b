import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type BaselineEntry,
  baselineText,
  compareWithBaseline,
  describeComparison,
  isClean,
  parseBaseline,
  parseCheckovReport,
  stackOfTemplate,
  TODO_REASON,
  updatedBaseline,
} from '../../../scripts/checkov-baseline.ts';

/** checkov 3.3.30's JSON report on a Kubeguard-Stateful template, verbatim (test/fixtures/README.md). */
const REPORT = readFileSync(
  join(import.meta.dirname, '..', '..', 'fixtures', 'checkov', 'stateful-report.json'),
  'utf8',
);
const STACK = 'Kubeguard-Stateful';

const entry = (check: string, resource: string, reason: string): BaselineEntry => ({
  check,
  stack: STACK,
  resource,
  reason,
});

describe('parseCheckovReport', () => {
  it('reads check id, stack (from the template file) and logical id of every failed check', () => {
    expect(parseCheckovReport(REPORT)).toEqual([
      { check: 'CKV_AWS_119', stack: STACK, resource: 'Findings172CF60E' },
      { check: 'CKV_AWS_149', stack: STACK, resource: 'SlackCredentialsDA5135C4' },
      { check: 'CKV_AWS_149', stack: STACK, resource: 'SlackSigningSecret79196F0B' },
      { check: 'CKV_AWS_27', stack: STACK, resource: 'ActionsDeadLettersCBE0E512' },
      { check: 'CKV_AWS_27', stack: STACK, resource: 'ActionsQueueD26726C3' },
      { check: 'CKV_AWS_27', stack: STACK, resource: 'DeadLettersBBF8BAAB' },
      { check: 'CKV_AWS_18', stack: STACK, resource: 'EvidenceAccessLogs6F1E67A5' },
      { check: 'CKV_AWS_21', stack: STACK, resource: 'EvidenceAccessLogs6F1E67A5' },
    ]);
  });

  it('reads the list checkov prints when several frameworks ran, keeping only CloudFormation', () => {
    const report = JSON.parse(REPORT) as Record<string, unknown>;
    const other = { ...report, check_type: 'secrets' };
    expect(parseCheckovReport(JSON.stringify([other, report]))).toHaveLength(8);
  });

  it('names a report that is not JSON', () => {
    expect(() => parseCheckovReport('Traceback (most recent call last):')).toThrow(
      /checkov's report is not JSON .*: Traceback \(most recent call last\):/,
    );
  });

  it('names the template of a stack, whatever directory checkov prints', () => {
    expect(stackOfTemplate('/../../tmp/kg-skip-PocB3G/Kubeguard-Stateful.template.json')).toBe(STACK);
  });
});

describe('parseBaseline', () => {
  it('names the entry and the field that is missing or empty', () => {
    const text = JSON.stringify([
      entry('CKV_AWS_27', 'DeadLettersBBF8BAAB', 'ok'),
      { check: 'CKV_AWS_18', stack: STACK, resource: 'X', reason: ' ' },
    ]);
    expect(() => parseBaseline(text, 'infra/checkov-baseline.json')).toThrow(
      'infra/checkov-baseline.json: entry 1: "reason" must be a non-empty string',
    );
    expect(() => parseBaseline('{}', 'b.json')).toThrow('b.json must be a JSON array');
  });
});

describe('compareWithBaseline', () => {
  const findings = parseCheckovReport(REPORT);
  const complete = updatedBaseline(findings, []).map((e) => ({ ...e, reason: `why ${e.check}` }));

  it('is clean when every finding is listed with a reason', () => {
    expect(isClean(compareWithBaseline(findings, complete))).toBe(true);
  });

  it('reports a new finding, and how often its check is accepted elsewhere', () => {
    const baseline = complete.filter((e) => e.check !== 'CKV_AWS_21');
    const withReason = baseline.map((e) =>
      e.resource === 'EvidenceAccessLogs6F1E67A5' ? { ...e, reason: 'it receives the access logs' } : e,
    );
    const comparison = compareWithBaseline(findings, withReason);

    expect(isClean(comparison)).toBe(false);
    expect(describeComparison(comparison, withReason)).toEqual([
      'new finding: CKV_AWS_21 on Kubeguard-Stateful EvidenceAccessLogs6F1E67A5',
    ]);
    const withoutQueue = complete.filter((e) => e.resource !== 'ActionsQueueD26726C3');
    expect(describeComparison(compareWithBaseline(findings, withoutQueue), withoutQueue)).toEqual([
      'new finding: CKV_AWS_27 on Kubeguard-Stateful ActionsQueueD26726C3 (accepted with a reason on 2 other resources)',
    ]);
  });

  it('reports entries that no longer occur, entries still TODO and entries listed twice', () => {
    const fixed = findings.filter((f) => f.check !== 'CKV_AWS_21');
    const baseline = [
      ...complete.map((e) => (e.resource === 'Findings172CF60E' ? { ...e, reason: TODO_REASON } : e)),
      complete[0] as BaselineEntry,
    ];
    const comparison = compareWithBaseline(fixed, baseline);

    expect(describeComparison(comparison, baseline)).toEqual([
      'no longer reported (remove it): CKV_AWS_21 on Kubeguard-Stateful EvidenceAccessLogs6F1E67A5',
      'reason missing (replace "TODO"): CKV_AWS_119 on Kubeguard-Stateful Findings172CF60E',
      'listed twice: CKV_AWS_27 on Kubeguard-Stateful ActionsDeadLettersCBE0E512',
    ]);
  });
});

describe('updatedBaseline', () => {
  it('keeps existing reasons, gives new findings TODO, drops what no longer occurs, sorted by stack, resource, check', () => {
    const findings = parseCheckovReport(REPORT).filter((f) => f.check !== 'CKV_AWS_119');
    const baseline = [
      entry('CKV_AWS_27', 'DeadLettersBBF8BAAB', 'SQS-managed encryption'),
      entry('CKV_AWS_119', 'Findings172CF60E', 'AWS-managed key'),
    ];
    const updated = updatedBaseline(findings, baseline);

    expect(updated.map((e) => `${e.resource} ${e.check} ${e.reason}`)).toEqual([
      `ActionsDeadLettersCBE0E512 CKV_AWS_27 ${TODO_REASON}`,
      `ActionsQueueD26726C3 CKV_AWS_27 ${TODO_REASON}`,
      'DeadLettersBBF8BAAB CKV_AWS_27 SQS-managed encryption',
      `EvidenceAccessLogs6F1E67A5 CKV_AWS_18 ${TODO_REASON}`,
      `EvidenceAccessLogs6F1E67A5 CKV_AWS_21 ${TODO_REASON}`,
      `SlackCredentialsDA5135C4 CKV_AWS_149 ${TODO_REASON}`,
      `SlackSigningSecret79196F0B CKV_AWS_149 ${TODO_REASON}`,
    ]);
    expect(parseBaseline(baselineText(updated), 'b.json')).toEqual(updated);
  });
});
