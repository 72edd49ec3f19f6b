import type { Detection } from '../model/detection.ts';
import { type Finding, incidentSeverity, rankedIncidentRules } from '../model/finding.ts';
import { type IncidentRule, ratedBy, raterName } from '../model/incident.ts';
import { type Block, type MrkdwnText, mrkdwn, type SectionBlock } from './blocks.ts';
import { BLOCK_KIT_LIMITS } from './limits.ts';
import { codeSpan, untrustedText } from './mrkdwn.ts';

/**
 * The part of an alert that makes one incident one message: every rule that reported it, each with
 * its own severity and "why it matters", and which source rated the incident as serious as it is.
 */

/** Responder guidance for one rule: from the rule's metadata, or the GuardDuty guide of its type. */
export interface RuleGuide {
  whyItMatters: string;
  firstResponse: string;
}

export type RuleGuideLookup = (rule: IncidentRule) => RuleGuide;

/** Rules shown with their guide; the rest are named in one line (Block Kit allows 50 blocks). */
export const MAX_GUIDED_RULES = 6;
const WHY_CAP = 700;
const FIRST_RESPONSE_CAP = 1400;
const L = BLOCK_KIT_LIMITS;

/**
 * The detection as the alert's header and notification present it: the incident's severity, and
 * the most severe rule's title followed by "and N more" when several rules reported it.
 */
export function incidentHeadline(finding: Finding): Detection {
  const rules = rankedIncidentRules(finding);
  const top = rules[0];
  const title = top?.title ?? finding.detection.title;
  const more = rules.length > 1 ? ` and ${rules.length - 1} more` : '';
  // The header is 150 characters: the count must survive a long title.
  const room = L.headerText - more.length - 30;
  const clipped = title.length > room ? `${title.slice(0, room - 1)}…` : title;
  return { ...finding.detection, severity: incidentSeverity(finding), title: `${clipped}${more}` };
}

/**
 * The guide blocks of an incident several rules reported: who rated it, each rule with its severity
 * and why it matters, then the first response of the most severe. Undefined for a one-rule
 * incident, whose alert keeps the single guide section.
 */
export function incidentGuideBlocks(
  finding: Finding,
  topGuide: RuleGuide,
  guideFor?: RuleGuideLookup,
): Block[] | undefined {
  const rules = rankedIncidentRules(finding);
  if (rules.length < 2) return undefined;
  // Without a lookup only the most severe rule's guide is known (the one the caller passed).
  const guides = rules.map((rule, index) => {
    if (guideFor !== undefined) return guideFor(rule);
    return index === 0 ? topGuide : undefined;
  });
  const blocks: Block[] = [section('alert_rating', ratingText(finding))];
  const shownWhy = new Set<string>();
  rules.slice(0, MAX_GUIDED_RULES).forEach((rule, index) => {
    const why = guides[index]?.whyItMatters;
    // Two reports of one rule (the audit rule and the GuardDuty type mapped to it) share a guide.
    const lines = [ruleLine(rule)];
    if (why !== undefined && !shownWhy.has(why)) {
      shownWhy.add(why);
      lines.push(`*Why it matters:* ${untrustedText(why, WHY_CAP)}`);
    }
    blocks.push(section(`alert_rule_${index + 1}`, lines.join('\n')));
  });
  const rest = rules.slice(MAX_GUIDED_RULES);
  if (rest.length > 0) {
    const names = rest.map((rule) => `${ruleName(rule)} (${rule.severity})`);
    blocks.push({
      type: 'context',
      block_id: 'alert_rules_more',
      elements: [mrkdwn(untrustedText(`and ${rest.length} more: ${names.join(', ')}`, L.sectionText))],
    });
  }
  const first = guides[0] ?? topGuide;
  blocks.push(
    section('alert_guide', `*First response*\n${untrustedText(first.firstResponse, FIRST_RESPONSE_CAP)}`),
  );
  return blocks;
}

/** `*Severity: HIGH* — rated by GuardDuty (8.0); KD-020 and KD-023 rate it medium`. */
export function ratingText(finding: Finding): string {
  const rules = rankedIncidentRules(finding);
  const severity = incidentSeverity(finding);
  // Rule ids and GuardDuty types come from the source: shown as text, never as formatting.
  const label = (name: string) => untrustedText(name, 120);
  const byRating = new Map<string, Set<string>>();
  for (const rule of rules.filter((r) => r.severity !== severity)) {
    byRating.set(rule.severity, (byRating.get(rule.severity) ?? new Set()).add(label(raterName(rule))));
  }
  const others = [...byRating].map(
    ([rating, names]) => `${listed([...names])} ${names.size === 1 ? 'rates' : 'rate'} it ${rating}`,
  );
  const raters = listed(ratedBy(rules).map(label));
  return `*Severity: ${severity.toUpperCase()}* — rated by ${raters}${others.length > 0 ? `; ${others.join('; ')}` : ''}`;
}

/** `a`, `a and b`, `a, b and c`. */
function listed(names: readonly string[]): string {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

function ruleName(rule: IncidentRule): string {
  if (rule.findingType === undefined) return rule.ruleId;
  const score = rule.score === undefined ? '' : ` ${rule.score.toFixed(1)}`;
  return `GuardDuty${score} ${rule.findingType}`;
}

/** `[HIGH] KD-021 Exec into a kube-system pod · seen once`; GuardDuty's type and title are untrusted. */
function ruleLine(rule: IncidentRule): string {
  const times = rule.occurrences === 1 ? 'once' : `${rule.occurrences} times`;
  const name =
    rule.findingType === undefined
      ? `*${untrustedText(rule.ruleId, 40)}*`
      : `*GuardDuty${rule.score === undefined ? '' : ` (${rule.score.toFixed(1)})`}* ${codeSpan(rule.findingType)}`;
  return `*[${rule.severity.toUpperCase()}]* ${name} ${untrustedText(rule.title, 300)} · seen ${times}`;
}

function section(blockId: string, text: string): SectionBlock {
  return { type: 'section', block_id: blockId, text: mrkdwn(text) as MrkdwnText };
}
