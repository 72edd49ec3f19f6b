import { describe, expect, it } from 'vitest';
import { InvalidEventError } from '#core/errors.ts';
import { decodeAlarmMessage } from '#core/observability/alarm-message.ts';
import { ALARM_KINDS, alarmName, parseAlarmName } from '#core/observability/alarms.ts';
import { loadFixture } from '#test/support/fixtures.ts';

const MESSAGE = loadFixture<{ Records: { Sns: { Message: string } }[] }>(
  'cloudwatch-alarm-sns-lambda-event.json',
).Records[0]?.Sns.Message as string;

describe('alarm names', () => {
  it('round-trip every kind, with its subject when it has one', () => {
    for (const [kind, entry] of Object.entries(ALARM_KINDS)) {
      const subject = 'subject' in entry ? 'prod-cluster' : undefined;
      const name = alarmName('Kubeguard', kind as keyof typeof ALARM_KINDS, subject);
      expect(parseAlarmName(name)).toEqual({
        kind,
        ...(subject === undefined ? {} : { subject }),
        runbook: `docs/operations.md#${entry.runbook}`,
      });
    }
    expect(alarmName('Kubeguard', 'functionErrors', 'delivery')).toBe('Kubeguard/errors/delivery');
  });

  it('are not read into names kubeguard did not give', () => {
    for (const name of [
      'EXAMPLE',
      'Kubeguard/errors',
      'Kubeguard/dead-letters/extra',
      'Kubeguard/unknown/x',
      '/errors/delivery',
      'a/errors/b/c',
    ]) {
      expect(parseAlarmName(name), name).toBeUndefined();
    }
  });
});

describe('the alarm message', () => {
  it('is read from CloudWatch’s real JSON, its time made ISO-8601', () => {
    expect(decodeAlarmMessage(MESSAGE)).toEqual({
      alarmName: 'EXAMPLE',
      description: 'EXAMPLE',
      accountId: '123456789012',
      newState: 'ALARM',
      oldState: 'INSUFFICIENT_DATA',
      reason:
        'Threshold Crossed: 1 out of the last 1 datapoints [1234.0 (06/03/15 17:43:27)] was greater than the threshold (0.0) (minimum 1 datapoint for OK -> ALARM transition).',
      time: '2015-06-03T17:43:27.123+00:00',
      region: 'EXAMPLE',
    });
  });

  it('takes a null description as none', () => {
    const change = decodeAlarmMessage(JSON.stringify({ ...JSON.parse(MESSAGE), AlarmDescription: null }));
    expect(change).not.toHaveProperty('description');
  });

  it('names the field that is wrong', () => {
    const without = { ...JSON.parse(MESSAGE) };
    delete without.AlarmName;
    expect(() => decodeAlarmMessage(JSON.stringify(without))).toThrow(InvalidEventError);
    expect(() => decodeAlarmMessage(JSON.stringify(without))).toThrow(
      /^alarm message is invalid at AlarmName: /,
    );
  });
});
