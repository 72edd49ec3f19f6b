import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AlarmStateChange, decodeAlarmMessage } from '#core/observability/alarm-message.ts';
import { validateBlockKitMessage } from '#core/slack-views/blocks.ts';
import { buildOpsAlarmMessage, OPS_ALARM_BLOCK_IDS } from '#core/slack-views/ops-alarm.ts';
import { loadFixture } from '#test/support/fixtures.ts';
import { outsideCodeSpans, textOf, texts } from './views-support.ts';

const REAL: AlarmStateChange = decodeAlarmMessage(
  loadFixture<{ Records: { Sns: { Message: string } }[] }>('cloudwatch-alarm-sns-lambda-event.json')
    .Records[0]?.Sns.Message as string,
);

describe('the ops alarm message', () => {
  it('shows a kubeguard alarm’s name, state change, time, reason and runbook', () => {
    const message = buildOpsAlarmMessage({
      ...REAL,
      alarmName: 'Kubeguard/audit-log-silence/prod-cluster',
      description: 'kubeguard: no audit-log event from the cluster prod-cluster for 30 minutes',
    });
    expect(message.text).toBe('ALARM: Kubeguard/audit-log-silence/prod-cluster');
    expect(message.blocks[0]).toEqual({
      type: 'header',
      block_id: OPS_ALARM_BLOCK_IDS.header,
      text: { type: 'plain_text', text: '🔴 ALARM: Kubeguard/audit-log-silence/prod-cluster' },
    });
    const facts = message.blocks[1];
    expect(facts?.type === 'section' ? facts.block_id : undefined).toBe(OPS_ALARM_BLOCK_IDS.facts);
    expect(facts?.type === 'section' ? facts.fields?.flatMap((f) => f.text.split('\n')) : []).toEqual([
      '*Alarm*',
      '`Kubeguard/audit-log-silence/prod-cluster`',
      '*State*',
      '`INSUFFICIENT_DATA` → *ALARM*',
      '*Since*',
      '<!date^1433353407^{date_short_pretty} {time}|2015-06-03T17:43:27.123Z>',
      '*Runbook*',
      '`docs/operations.md#audit-log-silence`',
    ]);
    expect(textOf(message.blocks, OPS_ALARM_BLOCK_IDS.reason)).toBe(
      '*Reason*\nThreshold Crossed: 1 out of the last 1 datapoints [1234.0 (06/03/15 17:43:27)] was greater than the threshold (0.0) (minimum 1 datapoint for OK -&gt; ALARM transition).',
    );
    expect(textOf(message.blocks, OPS_ALARM_BLOCK_IDS.about)).toBe(
      'kubeguard: no audit-log event from the cluster prod-cluster for 30 minutes · account `123456789012` · EXAMPLE',
    );
    expect(validateBlockKitMessage(message)).toEqual([]);
  });

  it('says so when the name is not one kubeguard gives, and points at the alarm list', () => {
    const message = buildOpsAlarmMessage({ ...REAL, newState: 'OK' });
    expect(message.text).toBe('OK: EXAMPLE');
    expect(texts(message.blocks).join('\n')).toContain(
      '*Runbook*\nnot a kubeguard alarm name: see docs/operations.md#alarms-and-runbooks',
    );
  });

  it('escapes every value from the SNS message, however hostile', () => {
    const hostile = fc.oneof(
      fc.constantFrom(
        '<!channel>',
        '<https://evil.example|click>',
        '`',
        '*bold*',
        '\n> quote',
        'x'.repeat(5000),
      ),
      fc.string({ maxLength: 300 }),
    );
    fc.assert(
      fc.property(hostile, hostile, hostile, hostile, hostile, (name, reason, description, time, old) => {
        const message = buildOpsAlarmMessage({
          ...REAL,
          alarmName: name === '' ? '<!here>' : name,
          reason,
          description,
          time,
          oldState: old,
          accountId: old,
          region: reason,
        });
        expect(validateBlockKitMessage(message)).toEqual([]);
        expect(message.text).not.toMatch(/[<>]/);
        for (const block of message.blocks) {
          if (block.type === 'header') {
            expect(block.text.text).not.toMatch(/[<>]/);
            continue;
          }
          for (const text of texts([block])) {
            for (const line of text.split('\n')) expect((line.match(/`/g) ?? []).length % 2).toBe(0);
            const outside = outsideCodeSpans(text).replace(/<!date\^\d+\^[^|>]+\|[^>]*>/g, '');
            expect(outside).not.toMatch(/[<>]/);
            expect(outside).not.toContain('*bold*');
          }
        }
      }),
      { numRuns: 50 },
    );
  });
});
