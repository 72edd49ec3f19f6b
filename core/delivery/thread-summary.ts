import { escapeMrkdwn, truncate } from '../slack-views/mrkdwn.ts';

/** The thread reply that summarizes occurrences since the last reply (all values escaped). */
export function threadSummaryText(occurrences: number, evidence: readonly string[]): string {
  const heading = `${occurrences} new occurrence${occurrences === 1 ? '' : 's'} since the last update`;
  const lines = evidence.map((line) => `• ${escapeMrkdwn(truncate(line, 300))}`);
  const omitted = occurrences - evidence.length;
  if (omitted > 0 && evidence.length > 0) lines.push(`…and ${omitted} more`);
  return truncate([heading, ...lines].join('\n'), 3000);
}
