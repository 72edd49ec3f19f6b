import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../../core/detection/audit-event.ts';
import { DEFAULT_DETECTION_CONFIG, type DetectionConfig } from '../../../../core/detection/config.ts';
import { evaluateAuditEvent } from '../../../../core/detection/engine.ts';
import { AUDIT_RULES } from '../../../../core/detection/registry.ts';
import type { AuditRule } from '../../../../core/detection/rule.ts';
import { isSentence } from '../../../../core/model/sentence.ts';
import { SEVERITIES } from '../../../../core/model/severity.ts';
import { readFixtureFile } from '../../../support/fixtures.ts';
import {
  configWith,
  corpusEvents,
  expectCompleteMetadata,
  NOW,
  objectPaths,
  setPath,
} from './rules/rule-test-support.ts';

/** Catalog rows KD-001 … KD-037 that this rule set implements: id → [severity, core ★]. */
const CATALOG: Record<string, [string, boolean]> = {
  'KD-001': ['high', true],
  'KD-002': ['high', true],
  'KD-003': ['low', false],
  'KD-004': ['medium', true],
  'KD-005': ['high', true],
  'KD-006': ['medium', true],
  'KD-007': ['medium', true],
  'KD-008': ['medium', true],
  'KD-009': ['medium', false],
  'KD-010': ['low', false],
  'KD-011': ['low', false],
  'KD-012': ['medium', true],
  'KD-013': ['low', false],
  'KD-014': ['medium', true],
  'KD-015': ['medium', false],
  'KD-020': ['medium', true],
  'KD-021': ['high', false],
  'KD-022': ['high', true],
  'KD-023': ['medium', false],
  'KD-024': ['high', false],
  'KD-025': ['low', false],
  'KD-026': ['low', false],
  'KD-028': ['high', true],
  'KD-030': ['high', true],
  'KD-031': ['low', false],
  'KD-032': ['medium', true],
  'KD-033': ['medium', true],
  'KD-034': ['low', false],
  'KD-035': ['medium', true],
  'KD-036': ['medium', false],
  'KD-037': ['high', true],
};
const WORKLOAD_RULE_IDS = Object.keys(CATALOG);
const WORKLOAD_RULES: AuditRule[] = AUDIT_RULES.filter((rule) => WORKLOAD_RULE_IDS.includes(rule.id));

/** Exec, attach and port-forward are upgraded streams, evaluated at ResponseStarted too (KD-028 for kubelet exec). */
const STREAM_RULES = ['KD-020', 'KD-021', 'KD-022', 'KD-023', 'KD-024', 'KD-025', 'KD-026', 'KD-028'];

/** KD-015 is inactive until registries are configured; its example assumes the account's ECR. */
const EXAMPLE_CONFIG: DetectionConfig = configWith({
  allowedRegistries: ['111122223333.dkr.ecr.eu-west-1.amazonaws.com/'],
});

/**
 * Corpus lines whose label contradicts the catalog; the catalog wins (corpus README). Each entry states
 * the set the catalog requires, and the test checks that the label really differs, so that a corrected
 * label makes the exception fail instead of hiding it.
 */
const CATALOG_OVERRIDES: Record<number, { rules: string[]; reason: string }> = {
  48: {
    rules: ['KD-020', 'KD-023'],
    reason:
      'falco exec_pod trace: `kubectl exec -it … -- bash` (stdin=true, tty=true). KD-023’s trigger lists ' +
      '"interactive shells sh/bash"; the label has KD-020 only.',
  },
  81: {
    rules: ['KD-020', 'KD-023'],
    reason:
      'Panther "EKS regular exec without tar": `/bin/sh` with stdin=true and tty=true, an interactive shell ' +
      'by KD-023’s trigger; the label has KD-020 only.',
  },
};

interface CorpusLabels {
  labels: Record<string, { rules: string[] }>;
}

function labelledWorkloadRules(line: number): string[] {
  const labels = (readFixtureFile('corpus/public/audit-labels.json') as unknown as CorpusLabels).labels;
  return (labels[String(line)]?.rules ?? []).filter((id) => WORKLOAD_RULE_IDS.includes(id)).sort();
}

function firedRules(event: AuditEvent, config: DetectionConfig = DEFAULT_DETECTION_CONFIG): string[] {
  const result = evaluateAuditEvent(event, { config, now: NOW }, WORKLOAD_RULES);
  expect(result.ruleErrors).toEqual([]);
  return [...new Set(result.detections.map((d) => d.ruleId))].sort();
}

describe('workload and access rules KD-001 … KD-037', () => {
  it('are all registered, once each', () => {
    const registered = AUDIT_RULES.map((rule) => rule.id).filter((id) => WORKLOAD_RULE_IDS.includes(id));

    expect(registered.sort()).toEqual([...WORKLOAD_RULE_IDS].sort());
  });

  describe.each(WORKLOAD_RULE_IDS)('%s metadata', (id) => {
    const rule = WORKLOAD_RULES.find((r) => r.id === id) as AuditRule;

    it('matches the catalog severity and core flag', () => {
      expect([rule.severity, rule.core]).toEqual(CATALOG[id]);
      expect(SEVERITIES).toContain(rule.severity);
    });

    it('is complete', () => {
      expectCompleteMetadata(rule, { mitre: true });
    });

    it('has a real-format example event that triggers it', () => {
      expect(rule.example).toMatchObject({ kind: 'Event', apiVersion: 'audit.k8s.io/v1' });
      expect(rule.example.auditID).toMatch(/^[0-9a-f-]{36}$/);
      expect(rule.example.user?.username).toEqual(expect.any(String));

      expect(firedRules(structuredClone(rule.example), EXAMPLE_CONFIG)).toContain(id);
    });

    it(
      STREAM_RULES.includes(id) ? 'is evaluated at ResponseStarted' : 'is evaluated at ResponseComplete only',
      () => {
        expect(rule.evaluatesResponseStarted === true).toBe(STREAM_RULES.includes(id));
      },
    );
  });

  describe('on the public labelled corpus', () => {
    const lines = corpusEvents();

    it.each(lines)(
      'line $line fires exactly the labelled rules (catalog wins where they disagree)',
      ({ line, event }) => {
        const fired = firedRules(event);
        const override = CATALOG_OVERRIDES[line];

        if (override === undefined) {
          expect(fired).toEqual(labelledWorkloadRules(line));
        } else {
          expect(labelledWorkloadRules(line)).not.toEqual(override.rules);
          expect(fired).toEqual(override.rules);
        }
      },
    );

    it('writes summaries from event values, without placeholders', () => {
      for (const { event } of lines) {
        for (const detection of evaluateAuditEvent(
          event,
          { config: DEFAULT_DETECTION_CONFIG, now: NOW },
          WORKLOAD_RULES,
        ).detections) {
          expect(detection.summary).toMatch(/^\S.*\.$/);
          expect(detection.summary).not.toMatch(/undefined|\[object Object\]|null/);
          for (const value of Object.values(detection.evidence)) expect(typeof value).toBe('string');
        }
      }
    });
  });

  describe('on hostile input', () => {
    const verbs = ['create', 'get', 'list', 'watch', 'update', 'patch', 'delete'];
    const resources = [
      'pods',
      'secrets',
      'configmaps',
      'serviceaccounts',
      'certificatesigningrequests',
      'nodes',
      'cronjobs',
      'daemonsets',
      'deployments',
    ];
    const subresources = [
      '',
      'exec',
      'attach',
      'portforward',
      'ephemeralcontainers',
      'token',
      'proxy',
      'approval',
    ];

    const arbitraryEvent = fc.record(
      {
        auditID: fc.string(),
        verb: fc.constantFrom(...verbs),
        stage: fc.constantFrom('ResponseStarted', 'ResponseComplete', undefined),
        requestURI: fc.oneof(fc.string(), fc.webUrl(), fc.anything()),
        user: fc.oneof(fc.record({ username: fc.oneof(fc.string(), fc.anything()) }), fc.anything()),
        userAgent: fc.anything(),
        objectRef: fc.oneof(
          fc.record(
            {
              resource: fc.constantFrom(...resources),
              subresource: fc.constantFrom(...subresources),
              namespace: fc.oneof(fc.constantFrom('kube-system', 'default', ''), fc.anything()),
              name: fc.anything(),
              apiGroup: fc.anything(),
            },
            { requiredKeys: ['resource'] },
          ),
          fc.anything(),
        ),
        responseStatus: fc.oneof(
          fc.record({ code: fc.oneof(fc.constantFrom(101, 200, 201, 403, 404), fc.anything()) }),
          fc.anything(),
        ),
        annotations: fc.anything(),
        requestObject: fc.oneof(
          fc.record(
            { spec: fc.anything(), metadata: fc.anything(), data: fc.anything(), type: fc.anything() },
            { requiredKeys: [] },
          ),
          fc.anything(),
        ),
        responseObject: fc.anything(),
      },
      { requiredKeys: ['auditID', 'verb'] },
    );

    it('never throws on events with missing or mistyped fields', () => {
      fc.assert(
        fc.property(arbitraryEvent, (event) => {
          for (const rule of WORKLOAD_RULES) {
            const match = rule.match(event as unknown as AuditEvent, { config: EXAMPLE_CONFIG });
            // Every rule builds its summary with the sentence tag: the event's values stay apart.
            if (match !== null) expect(isSentence(match.summary)).toBe(true);
          }
        }),
        { numRuns: 300 },
      );
    });

    it('never throws when any field of a real corpus event is replaced by a value of another type', () => {
      const events = corpusEvents().map(({ event }) => event);
      fc.assert(
        fc.property(fc.nat(events.length - 1), fc.nat(), fc.anything(), (index, pick, value) => {
          const event = structuredClone(events[index]) as unknown as Record<string, unknown>;
          const paths = objectPaths(event);
          const path = paths[pick % paths.length] ?? [];
          setPath(event, path, value);
          for (const rule of WORKLOAD_RULES)
            rule.match(event as unknown as AuditEvent, { config: EXAMPLE_CONFIG });
        }),
        { numRuns: 500 },
      );
    });
  });
});
