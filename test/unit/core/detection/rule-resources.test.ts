import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../../core/detection/audit-event.ts';
import { DEFAULT_DETECTION_CONFIG } from '../../../../core/detection/config.ts';
import { AUDIT_RULES } from '../../../../core/detection/registry.ts';
import { FIXTURES_DIR, fixturePath, loadFixture } from '../../../support/fixtures.ts';

/**
 * The engine runs a rule only on events about the resources it declares. That is safe only if no
 * rule can match anything else: run every rule directly (no index) on every real event we have —
 * the corpus, the fixtures, every rule's example — and on each of them re-pointed at every resource
 * any rule names, and check that a match always concerns a declared resource.
 */
const corpus = readFileSync(fixturePath('corpus/public/audit-events.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line, i) => ({ auditID: `corpus-${i + 1}`, verb: 'get', ...JSON.parse(line) }) as AuditEvent);
const fixtures = readdirSync(FIXTURES_DIR)
  .filter((name) => name.startsWith('eks-audit-'))
  .map((name) => loadFixture<AuditEvent>(name));
const examples = AUDIT_RULES.map((rule) => rule.example);
const declared = [...new Set(AUDIT_RULES.flatMap((rule) => rule.resources ?? []))];

function repointed(event: AuditEvent, resource: string): AuditEvent {
  return { ...event, objectRef: { ...event.objectRef, resource } };
}

const events = [...corpus, ...fixtures, ...examples];
const variants = events.flatMap((event) => declared.map((resource) => repointed(event, resource)));
const context = { config: DEFAULT_DETECTION_CONFIG };

describe('rule resource declarations', () => {
  it.each(AUDIT_RULES.filter((rule) => rule.resources !== undefined).map((rule) => [rule.id, rule] as const))(
    '%s matches only events about the resources it declares',
    (_id, rule) => {
      const outside = [...events, ...variants].filter(
        (event) =>
          rule.match(event, context) !== null && !rule.resources?.includes(event.objectRef?.resource ?? ''),
      );
      expect(outside.map((event) => `${event.auditID} on ${event.objectRef?.resource}`)).toEqual([]);
    },
  );

  it('leaves only the rules about any request undeclared', () => {
    expect(AUDIT_RULES.filter((rule) => rule.resources === undefined).map((rule) => rule.id)).toEqual([
      'KD-055',
      'KD-060',
      'KD-061',
      'KD-066',
    ]);
  });
});
