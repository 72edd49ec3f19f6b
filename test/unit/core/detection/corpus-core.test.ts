import { describe, expect, it } from 'vitest';
import { DEFAULT_DETECTION_CONFIG } from '../../../../core/detection/config.ts';
import { parseAuditEvent } from '../../../../core/detection/decode-audit.ts';
import { evaluateAuditEvent } from '../../../../core/detection/engine.ts';
import { AUDIT_RULES } from '../../../../core/detection/registry.ts';
import { readFixtureFile, readFixtureText } from '../../../support/fixtures.ts';

/** The catalog's core set (catalog/detections.md, ★): the minimum coverage goal. */
const CORE_RULE_IDS = [
  'KD-001',
  'KD-002',
  'KD-004',
  'KD-005',
  'KD-006',
  'KD-007',
  'KD-008',
  'KD-012',
  'KD-014',
  'KD-020',
  'KD-022',
  'KD-028',
  'KD-030',
  'KD-032',
  'KD-033',
  'KD-035',
  'KD-037',
  'KD-040',
  'KD-041',
  'KD-042',
  'KD-046',
  'KD-050',
  'KD-051',
  'KD-052',
  'KD-060',
  'KD-070',
  'KD-080',
];

const NOW = '2026-01-01T00:00:00.000Z';

interface Labels {
  labels: Record<string, { rules: string[] }>;
}

const labels = (readFixtureFile('corpus/public/audit-labels.json') as unknown as Labels).labels;
const corpus = readFixtureText('corpus/public/audit-events.jsonl')
  .split('\n')
  .map((text, index) => ({ line: index + 1, text }))
  .filter(({ text }) => text.trim() !== '');

/**
 * Each line alone, through the same decoder the CLI uses (lenient: the corpus holds trimmed test
 * traces without apiVersion or auditID), with every registered rule and default allow-lists.
 */
function firedCoreRules(line: number, text: string): string[] {
  const event = parseAuditEvent(JSON.parse(text), { lenient: true, fallbackAuditId: `line-${line}` });
  const result = evaluateAuditEvent(event, { config: DEFAULT_DETECTION_CONFIG, now: NOW });
  expect(result.ruleErrors).toEqual([]);
  return [...new Set(result.detections.map((d) => d.ruleId))]
    .filter((id) => CORE_RULE_IDS.includes(id))
    .sort();
}

function labelledCoreRules(line: number): string[] {
  return (labels[String(line)]?.rules ?? []).filter((id) => CORE_RULE_IDS.includes(id)).sort();
}

describe('the 27 core rules on the public labelled corpus', () => {
  it('are all registered and marked core', () => {
    const core = AUDIT_RULES.filter((rule) => rule.core).map((rule) => rule.id);
    expect(core.sort()).toEqual([...CORE_RULE_IDS].sort());
  });

  it('has labelled detections for most core rules (so the per-line checks below are not vacuous)', () => {
    const labelled = new Set(corpus.flatMap(({ line }) => labelledCoreRules(line)));
    expect(labelled.size).toBeGreaterThan(15);
  });

  it.each(corpus)(
    'line $line: every labelled core detection is found and no other core rule fires',
    ({ line, text }) => {
      expect(firedCoreRules(line, text)).toEqual(labelledCoreRules(line));
    },
  );
});
