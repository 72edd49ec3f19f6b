import { codeSpan } from '../slack-views/mrkdwn.ts';

const LINE_CAP = 300;
const TEXT_CAP = 3000;

/**
 * The thread reply that summarizes occurrences since the last reply. Each evidence line holds
 * attacker-controlled values (usernames, pod names, request URIs), so each is shown whole in a
 * one-line code span — escaped, backticks replaced — and only whole lines are kept within the limit,
 * so no span is ever cut open.
 */
export function threadSummaryText(occurrences: number, evidence: readonly string[]): string {
  const heading = `${occurrences} new occurrence${occurrences === 1 ? '' : 's'} since the last update`;
  let text = heading;
  let shown = 0;
  for (const line of evidence) {
    const next = `${text}\n• ${codeSpan(line, LINE_CAP)}`;
    if (next.length > TEXT_CAP - 40) break;
    text = next;
    shown += 1;
  }
  const omitted = occurrences - shown;
  if (omitted > 0 && shown > 0) text += `\n…and ${omitted} more`;
  return text;
}
