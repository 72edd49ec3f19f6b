import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../../core/detection/audit-event.ts';
import { DEFAULT_DETECTION_CONFIG, type DetectionConfig } from '../../../../core/detection/config.ts';
import { evaluateAuditEvent } from '../../../../core/detection/engine.ts';
import { AUDIT_RULES } from '../../../../core/detection/registry.ts';
import type { AuditRule } from '../../../../core/detection/rule.ts';
import type { Detection } from '../../../../core/model/detection.ts';
import { objectPaths, setPath } from './rules/rule-test-support.ts';

/**
 * Summaries are built with the `sentence` tag: the rule's words are text parts, everything taken
 * from the event is a value part. Renderers trust neither, but only value parts are shown as data
 * (code spans), so a value that leaked into a text part would be a rule bypassing the tag.
 */

/** Turns on the rules that need a list in the configuration (allowed users, namespaces …). */
const CONFIG: DetectionConfig = {
  ...DEFAULT_DETECTION_CONFIG,
  allowedUsers: ['someone-else@example.com'],
  allowedNamespaces: ['some-other-namespace'],
  allowedNodes: ['some-other-node'],
  allowedRegistries: ['registry.example.com/'],
};

/** Survives escaping and singleLine unchanged: what a leak into a text part would show. */
const MARKER = 'ZQXHOSTILE';
const HOSTILE_SUFFIX = `${MARKER}*_~\`<!here>`;

function detect(rule: AuditRule, event: AuditEvent): Detection | undefined {
  const result = evaluateAuditEvent(event, { config: CONFIG, now: '2026-01-15T12:00:00.000Z' }, [rule]);
  return result.detections[0];
}

function stringLeaves(event: AuditEvent): string[][] {
  return objectPaths(event).filter((path) => {
    let value: unknown = event;
    for (const key of path) value = (value as Record<string, unknown>)[key];
    return typeof value === 'string';
  });
}

function withSuffix(event: AuditEvent, path: string[]): AuditEvent {
  const copy = structuredClone(event) as unknown as Record<string, unknown>;
  let value: unknown = copy;
  for (const key of path) value = (value as Record<string, unknown>)[key];
  setPath(copy, path, `${String(value)}${HOSTILE_SUFFIX}`);
  return copy as unknown as AuditEvent;
}

describe('rule summaries keep the event values apart', () => {
  for (const rule of AUDIT_RULES) {
    describe(rule.id, () => {
      it('has a summary in parts whose text is the plain summary', () => {
        const detection = detect(rule, structuredClone(rule.example));
        expect(detection).toBeDefined();
        const parts = detection?.summaryParts ?? [];
        expect(parts.length).toBeGreaterThan(0);
        // Quoted values (an exec command) carry their backticks in the plain text only.
        expect(parts.map((part) => part.text).join('')).toBe(detection?.summary.replace(/`/g, ''));
      });

      it('never puts a value from the event into its own words', () => {
        let fired = 0;
        for (const path of stringLeaves(rule.example)) {
          const detection = detect(rule, withSuffix(rule.example, path));
          if (detection === undefined) continue;
          fired += 1;
          const leaked = (detection.summaryParts ?? []).filter(
            (part) => part.kind === 'text' && part.text.includes(MARKER),
          );
          expect(leaked, `${rule.id}: ${path.join('.')} leaked into the summary's text`).toEqual([]);
        }
        expect(fired).toBeGreaterThan(0);
      });
    });
  }
});
