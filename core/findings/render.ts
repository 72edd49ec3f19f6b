import type { KubeguardConfig } from '../config/schema.ts';
import { guideForDetection } from '../guardduty/guide.ts';
import type { Finding } from '../model/finding.ts';
import { routeDetection } from '../routing.ts';
import { buildAlertMessage } from '../slack-views/alert.ts';
import type { SlackMessage } from '../slack-views/blocks.ts';

/**
 * The alert for a finding's current state: what the bot posts first and what every later update
 * (count, status) replaces it with. Guidance comes from the rule's metadata, or the GuardDuty guide.
 */
export function renderFindingAlert(finding: Finding, slack: KubeguardConfig['slack']): SlackMessage {
  const route = routeDetection(finding.detection, slack);
  return buildAlertMessage(finding, guideForDetection(finding.detection), { mention: route.mention });
}
