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
  corpusEvent,
  corpusLineCount,
  expectCompleteMetadata,
  NOW,
  objectPaths,
  setPath,
} from './rules/rule-test-support.ts';

/** Catalog rows KD-040 … KD-083 that this rule set implements: id → [severity, core ★]. */
const CATALOG: Record<string, [string, boolean]> = {
  'KD-040': ['high', true],
  'KD-041': ['high', true],
  'KD-042': ['medium', true],
  'KD-043': ['low', false],
  'KD-044': ['medium', false],
  'KD-045': ['medium', false],
  'KD-046': ['high', true],
  'KD-047': ['low', false],
  'KD-048': ['medium', false],
  'KD-049': ['high', false],
  'KD-050': ['high', true],
  'KD-051': ['high', true],
  'KD-052': ['medium', true],
  'KD-053': ['high', false],
  'KD-054': ['medium', false],
  'KD-055': ['high', false],
  'KD-060': ['high', true],
  'KD-061': ['low', false],
  'KD-062': ['low', false],
  'KD-066': ['medium', false],
  'KD-070': ['medium', true],
  'KD-071': ['low', false],
  'KD-072': ['low', false],
  'KD-080': ['medium', true],
  'KD-081': ['low', false],
  'KD-082': ['low', false],
  'KD-083': ['medium', false],
};
const RBAC_RULE_IDS = Object.keys(CATALOG);
const RBAC_RULES: AuditRule[] = AUDIT_RULES.filter((rule) => RBAC_RULE_IDS.includes(rule.id));

/** KD-072 has no ATT&CK technique in the catalog (—). */
const WITHOUT_MITRE = ['KD-072'];

/** KD-066, KD-072 and KD-083 are inactive until their lists are configured; empty lists activate them. */
const EXAMPLE_CONFIG: DetectionConfig = configWith({
  allowedUsers: [],
  allowedNamespaces: [],
  allowedNodes: [],
});

/**
 * Corpus lines whose label contradicts the catalog; the catalog wins (corpus README). Each entry gives
 * the set the catalog requires, and the test checks that the label really differs, so that a corrected
 * label makes the exception fail instead of hiding it.
 *
 * All seven follow one pattern: the label follows Panther's expected outcome, which skips service
 * accounts and refused requests for every RBAC rule, while the catalog's KD-043, KD-044 and KD-047
 * triggers have no success clause, and KD-043 / KD-044 no principal clause ("Rules without a principal
 * clause … fire whoever the caller is"; only rules that say "non-system" exclude system principals).
 */
const CATALOG_OVERRIDES: Record<number, { rules: string[]; reason: string }> = {
  68: {
    rules: ['KD-047', 'KD-061'],
    reason: 'person creates a ClusterRoleBinding, 403: KD-047 has no success clause',
  },
  104: {
    rules: ['KD-044', 'KD-048'],
    reason: 'service account creates a ClusterRole with nodes/proxy: KD-044 has no principal clause',
  },
  105: {
    rules: ['KD-043', 'KD-044', 'KD-061'],
    reason:
      'person creates a nodes/proxy ClusterRole with verb create, 403: KD-043/KD-044 have no success clause',
  },
  110: {
    rules: ['KD-043', 'KD-048'],
    reason: 'service account creates a ClusterRole with verb create: KD-043 has no principal clause',
  },
  111: {
    rules: ['KD-043', 'KD-061'],
    reason: 'person creates a ClusterRole with verb create, 403: KD-043 has no success clause',
  },
  123: {
    rules: ['KD-043', 'KD-048'],
    reason: 'service account creates a ClusterRole with create/delete: KD-043 has no principal clause',
  },
  124: {
    rules: ['KD-043', 'KD-061'],
    reason: 'person creates a ClusterRole with create/delete, 403: KD-043 has no success clause',
  },
};

interface CorpusLabels {
  labels: Record<string, { rules: string[] }>;
}

function labelledRbacRules(line: number): string[] {
  const labels = (readFixtureFile('corpus/public/audit-labels.json') as unknown as CorpusLabels).labels;
  return (labels[String(line)]?.rules ?? []).filter((id) => RBAC_RULE_IDS.includes(id)).sort();
}

function firedRules(event: AuditEvent, config: DetectionConfig = DEFAULT_DETECTION_CONFIG): string[] {
  const result = evaluateAuditEvent(event, { config, now: NOW }, RBAC_RULES);
  expect(result.ruleErrors).toEqual([]);
  return [...new Set(result.detections.map((d) => d.ruleId))].sort();
}

const CORPUS_LINES = Array.from({ length: corpusLineCount() }, (_, index) => index + 1);

describe('RBAC and cluster rules KD-040 … KD-083', () => {
  it('are all registered, once each', () => {
    const registered = AUDIT_RULES.map((rule) => rule.id).filter((id) => RBAC_RULE_IDS.includes(id));

    expect(registered.sort()).toEqual([...RBAC_RULE_IDS].sort());
  });

  describe.each(RBAC_RULE_IDS)('%s metadata', (id) => {
    const rule = RBAC_RULES.find((r) => r.id === id) as AuditRule;

    it('matches the catalog severity and core flag', () => {
      expect([rule.severity, rule.core]).toEqual(CATALOG[id]);
      expect(SEVERITIES).toContain(rule.severity);
    });

    it('is complete', () => {
      expectCompleteMetadata(rule, { mitre: !WITHOUT_MITRE.includes(id) });
    });

    it('has a real-format example event that triggers it', () => {
      expect(rule.example).toMatchObject({ kind: 'Event', apiVersion: 'audit.k8s.io/v1' });
      expect(rule.example.auditID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(rule.example.stage).toBe('ResponseComplete');
      expect(rule.example.user?.username).toEqual(expect.any(String));

      expect(firedRules(structuredClone(rule.example), EXAMPLE_CONFIG)).toContain(id);
    });
  });

  it('evaluates only KD-061 at ResponseStarted (a failed authentication is logged only there)', () => {
    const atResponseStarted = RBAC_RULES.filter((rule) => rule.evaluatesResponseStarted === true).map(
      (r) => r.id,
    );

    expect(atResponseStarted).toEqual(['KD-061']);
  });

  describe('on the public labelled corpus', () => {
    it.each(CORPUS_LINES)(
      'line %i fires exactly the labelled rules (catalog wins where they disagree)',
      (line) => {
        const fired = firedRules(corpusEvent(line));
        const override = CATALOG_OVERRIDES[line];

        if (override === undefined) {
          expect(fired).toEqual(labelledRbacRules(line));
        } else {
          expect(labelledRbacRules(line)).not.toEqual(override.rules);
          expect(fired, override.reason).toEqual(override.rules);
        }
      },
    );

    it('stays silent on every line for the rules that need configuration', () => {
      const configDriven = ['KD-066', 'KD-072', 'KD-083'];
      for (const line of CORPUS_LINES) {
        expect(
          firedRules(corpusEvent(line)).filter((id) => configDriven.includes(id)),
          `line ${line}`,
        ).toEqual([]);
      }
    });

    it('writes summaries from event values, without placeholders', () => {
      for (const line of CORPUS_LINES) {
        const { detections } = evaluateAuditEvent(
          corpusEvent(line),
          { config: EXAMPLE_CONFIG, now: NOW },
          RBAC_RULES,
        );
        for (const detection of detections) {
          expect(detection.summary).toMatch(/^\S.*\.$/);
          expect(detection.summary).not.toMatch(/undefined|\[object Object\]|null/);
          for (const value of Object.values(detection.evidence)) expect(typeof value).toBe('string');
        }
      }
    });
  });

  describe('on hostile input', () => {
    const ACTIVE_CONFIG = configWith({
      allowedUsers: ['admin@example.com', 'ops-*'],
      allowedNamespaces: ['default'],
      allowedNodes: ['ip-10-*'],
    });
    const verbs = ['create', 'get', 'list', 'update', 'patch', 'delete', 'deletecollection'];
    const resources = [
      'roles',
      'clusterroles',
      'rolebindings',
      'clusterrolebindings',
      'configmaps',
      'mutatingwebhookconfigurations',
      'serviceaccounts',
      'selfsubjectrulesreviews',
      'events',
      'namespaces',
      'deployments',
      'services',
      'ingresses',
      'nodes',
    ];

    const arbitraryEvent = fc.record(
      {
        auditID: fc.string(),
        verb: fc.oneof(fc.constantFrom(...verbs), fc.anything()),
        stage: fc.constantFrom('ResponseStarted', 'ResponseComplete', undefined),
        requestURI: fc.oneof(fc.string(), fc.webUrl(), fc.anything()),
        user: fc.oneof(
          fc.record({ username: fc.oneof(fc.string(), fc.anything()), groups: fc.anything() }),
          fc.anything(),
        ),
        impersonatedUser: fc.anything(),
        userAgent: fc.anything(),
        objectRef: fc.oneof(
          fc.record(
            {
              resource: fc.constantFrom(...resources),
              namespace: fc.oneof(fc.constantFrom('kube-system', 'default', ''), fc.anything()),
              name: fc.oneof(fc.constantFrom('aws-auth', 'coredns', 'system:node'), fc.anything()),
              apiGroup: fc.anything(),
              subresource: fc.anything(),
            },
            { requiredKeys: ['resource'] },
          ),
          fc.anything(),
        ),
        responseStatus: fc.oneof(
          fc.record({
            code: fc.oneof(fc.constantFrom(200, 201, 401, 403, 404), fc.anything()),
            message: fc.anything(),
          }),
          fc.anything(),
        ),
        annotations: fc.anything(),
        requestObject: fc.oneof(
          fc.record(
            {
              rules: fc.anything(),
              roleRef: fc.anything(),
              subjects: fc.anything(),
              spec: fc.anything(),
              metadata: fc.anything(),
              data: fc.oneof(fc.record({ mapRoles: fc.string(), mapUsers: fc.anything() }), fc.anything()),
              webhooks: fc.anything(),
            },
            { requiredKeys: [] },
          ),
          fc.anything(),
        ),
      },
      { requiredKeys: ['auditID', 'verb'] },
    );

    it('never throws on events with missing or mistyped fields', () => {
      fc.assert(
        fc.property(arbitraryEvent, (event) => {
          for (const rule of RBAC_RULES) {
            const match = rule.match(event as unknown as AuditEvent, { config: ACTIVE_CONFIG });
            // Every rule builds its summary with the sentence tag: the event's values stay apart.
            if (match !== null) expect(isSentence(match.summary)).toBe(true);
          }
        }),
        { numRuns: 300 },
      );
    });

    it('never throws when any field of a rule example is replaced by a value of another type', () => {
      const examples = RBAC_RULES.map((rule) => rule.example);
      fc.assert(
        fc.property(fc.nat(examples.length - 1), fc.nat(), fc.anything(), (index, pick, value) => {
          const event = structuredClone(examples[index]) as unknown as Record<string, unknown>;
          const paths = objectPaths(event);
          setPath(event, paths[pick % paths.length] ?? [], value);
          for (const rule of RBAC_RULES)
            rule.match(event as unknown as AuditEvent, { config: ACTIVE_CONFIG });
        }),
        { numRuns: 500 },
      );
    });
  });
});
