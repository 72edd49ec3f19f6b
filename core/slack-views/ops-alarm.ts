import type { AlarmState, AlarmStateChange } from '../observability/alarm-message.ts';
import { parseAlarmName } from '../observability/alarms.ts';
import { type Block, mrkdwn, plainText, type SlackMessage } from './blocks.ts';
import { plainSafe, slackDate } from './format.ts';
import { BLOCK_KIT_LIMITS } from './limits.ts';
import { codeSpan, untrustedText } from './mrkdwn.ts';

/**
 * One of kubeguard's own alarms changing state, as the ops channel shows it: the alarm's name and
 * new state in the header, then the state change, when, CloudWatch's reason, the runbook in
 * docs/operations.md and the alarm's description. Every value comes from the SNS message, which
 * anyone allowed to publish to the topic writes: names are code spans, prose is untrusted text,
 * the time a Slack date token only when it parses.
 */

/** Block ids of the message. */
export const OPS_ALARM_BLOCK_IDS = {
  header: 'ops_alarm_header',
  facts: 'ops_alarm_facts',
  reason: 'ops_alarm_reason',
  about: 'ops_alarm_about',
} as const;

const STATE_WORDS: Record<AlarmState, { icon: string; word: string }> = {
  ALARM: { icon: '🔴', word: 'ALARM' },
  OK: { icon: '✅', word: 'OK' },
  INSUFFICIENT_DATA: { icon: '⚪', word: 'INSUFFICIENT_DATA' },
};

const NAME_CAP = 260;
const REASON_CAP = 1500;
const DESCRIPTION_CAP = 1024;

export function buildOpsAlarmMessage(change: AlarmStateChange): SlackMessage {
  const state = STATE_WORDS[change.newState];
  const named = parseAlarmName(change.alarmName);
  const blocks: Block[] = [
    {
      type: 'header',
      block_id: OPS_ALARM_BLOCK_IDS.header,
      text: plainText(
        plainSafe(`${state.icon} ${state.word}: ${change.alarmName}`, BLOCK_KIT_LIMITS.headerText),
      ),
    },
    {
      type: 'section',
      block_id: OPS_ALARM_BLOCK_IDS.facts,
      fields: [
        mrkdwn(`*Alarm*\n${codeSpan(change.alarmName, NAME_CAP)}`),
        mrkdwn(`*State*\n${stateChange(change)}`),
        mrkdwn(`*Since*\n${slackDate(change.time)}`),
        mrkdwn(
          `*Runbook*\n${named === undefined ? 'not a kubeguard alarm name: see docs/operations.md#alarms-and-runbooks' : codeSpan(named.runbook, 120)}`,
        ),
      ],
    },
    {
      type: 'section',
      block_id: OPS_ALARM_BLOCK_IDS.reason,
      text: mrkdwn(`*Reason*\n${untrustedText(change.reason, REASON_CAP)}`),
    },
  ];
  const about = aboutText(change);
  if (about !== '') {
    blocks.push({ type: 'context', block_id: OPS_ALARM_BLOCK_IDS.about, elements: [mrkdwn(about)] });
  }
  return {
    text: untrustedText(`${state.word}: ${change.alarmName}`, 300),
    blocks,
  };
}

function stateChange(change: AlarmStateChange): string {
  const now = `*${STATE_WORDS[change.newState].word}*`;
  return change.oldState === undefined ? now : `${codeSpan(change.oldState, 40)} → ${now}`;
}

function aboutText(change: AlarmStateChange): string {
  const parts: string[] = [];
  if (change.description !== undefined) parts.push(untrustedText(change.description, DESCRIPTION_CAP));
  if (change.accountId !== undefined) parts.push(`account ${codeSpan(change.accountId, 40)}`);
  if (change.region !== undefined) parts.push(untrustedText(change.region, 60));
  return parts.join(' · ');
}
