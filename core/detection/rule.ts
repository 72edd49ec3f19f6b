import type { ControlRef } from '../compliance/controls.ts';
import type { Sentence } from '../model/sentence.ts';
import type { Severity } from '../model/severity.ts';
import type { AuditEvent } from './audit-event.ts';
import type { DetectionConfig } from './config.ts';

/** What every rule says about itself; docs/rules/ is generated from this. */
export interface RuleMetadata {
  /** Catalog id, e.g. `KD-001`. */
  id: string;
  title: string;
  severity: Severity;
  /** MITRE ATT&CK technique ids. */
  mitre: string[];
  /** ★ in the catalog. */
  core: boolean;
  /** The trigger, in words (the catalog's trigger column). */
  trigger: string;
  whatHappened: string;
  whyItMatters: string;
  firstResponse: string;
  falsePositives: string;
  /** An audit event (real-format) that triggers the rule; tests assert that it does. */
  example: AuditEvent;
  /**
   * SOC 2, PCI DSS and ISO/IEC 27001 controls the rule's alerts give evidence for. Not written in the
   * rule module: the registry (core/detection/registry.ts) sets it on every registered rule from the
   * one mapping, core/compliance/mapping.ts (decision D66).
   */
  controls?: readonly ControlRef[];
}

/** What a rule found in one event: enough to build a Detection. */
export interface RuleMatch {
  /**
   * One sentence, built with the `sentence` tag (core/model/sentence.ts) so that the values taken
   * from the event stay apart from the rule's words; renderers show each value as data. A plain
   * string is accepted and rendered as untrusted text throughout.
   */
  summary: string | Sentence;
  evidence?: Record<string, string>;
  /** Overrides the rule's severity for this match (e.g. KD-083 success vs failure). */
  severity?: Severity;
  namespace?: string;
  pod?: string;
  workload?: string;
  container?: string;
  image?: string;
  node?: string;
  secretNames?: string[];
}

export interface RuleContext {
  config: DetectionConfig;
}

export interface AuditRule extends RuleMetadata {
  /**
   * The `objectRef.resource` values this rule can match (subresources included: `pods` covers
   * `pods/exec`). The engine runs the rule only on events about these resources, which keeps the
   * cost of 50+ rules per event low; omit it for rules about any request (anonymous access,
   * denials, impersonation). test/unit/core/detection/rule-resources.test.ts checks that no rule
   * matches outside its list.
   */
  resources?: readonly string[];
  /**
   * Exec/attach/portforward requests are upgraded streams: the API server logs ResponseStarted (101)
   * and may never log a useful ResponseComplete. Such rules are also evaluated at ResponseStarted.
   */
  evaluatesResponseStarted?: boolean;
  /** Pure: returns the match or null. Must not throw on any input. */
  match(event: AuditEvent, context: RuleContext): RuleMatch | null;
}
