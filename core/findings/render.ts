import { accountLabel } from '../config/accounts.ts';
import type { KubeguardConfig } from '../config/schema.ts';
import { guideForDetection } from '../guardduty/guide.ts';
import { type Finding, incidentSeverity } from '../model/finding.ts';
import { routeDetection } from '../routing.ts';
import { buildAlertMessage } from '../slack-views/alert.ts';
import type { SlackMessage } from '../slack-views/blocks.ts';
import { buildOutcomeBlocks, withOutcome } from '../slack-views/outcome.ts';

/**
 * The alert for a finding's current state: what the bot posts first and what every later update
 * (count, status, a rule joining the incident) replaces it with. Guidance comes from each rule's
 * metadata, or the GuardDuty guide of its type; the mention follows the incident's severity.
 */
export function renderFindingAlert(
  finding: Finding,
  slack: KubeguardConfig['slack'],
  /** Member accounts, so that the alert names the account (`prod (222233334444)`). */
  accounts: KubeguardConfig['accounts'] = [],
): SlackMessage {
  const route = routeDetection({ ...finding.detection, severity: incidentSeverity(finding) }, slack);
  const account = finding.detection.account;
  const alert = buildAlertMessage(finding, guideForDetection(finding.detection), {
    mention: route.mention,
    ruleGuide: guideForDetection,
    ...(account === undefined ? {} : { account: accountLabel({ accounts }, account) }),
    accountLabel: (id) => accountLabel({ accounts }, id),
  });
  // A remediation's verified outcome stays on the alert whatever re-renders it later.
  const run = finding.remediation;
  if (run === undefined) return alert;
  return withOutcome(
    alert,
    buildOutcomeBlocks({
      outcome: run.outcome,
      finding: { fingerprint: finding.fingerprint },
      ...(run.cluster === undefined ? {} : { cluster: run.cluster }),
      ...(run.reason === undefined ? {} : { reason: run.reason }),
      ...(run.approvedBy === undefined ? {} : { approvedBy: run.approvedBy }),
    }),
  );
}
