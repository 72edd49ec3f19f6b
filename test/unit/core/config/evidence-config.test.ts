import { describe, expect, it } from 'vitest';
import { parseConfig } from '#core/config/schema.ts';

const BASE = { clusters: [{ name: 'prod', region: 'us-east-1' }], slack: { defaultChannel: 'C0123' } };

describe('configuration: evidence', () => {
  it('defaults to no schedule, no Object Lock retention and links that work 7 days', () => {
    expect(parseConfig(BASE).evidence).toEqual({ schedule: false, urlExpiryHours: 168 });
  });

  it('takes a channel, the schedule, a retention and a shorter link', () => {
    const evidence = {
      channel: '#compliance',
      schedule: true,
      objectLock: { mode: 'COMPLIANCE', days: 400 },
      urlExpiryHours: 24,
    };

    expect(parseConfig({ ...BASE, evidence }).evidence).toEqual(evidence);
  });

  it('names the field and the fix', () => {
    expect(() => parseConfig({ ...BASE, evidence: { schedule: true } })).toThrow(
      'invalid configuration: evidence.channel: evidence.schedule is on but evidence.channel is not set: name the channel the monthly pack is posted to (C… or #name), or set schedule to false',
    );
    expect(() => parseConfig({ ...BASE, evidence: { urlExpiryHours: 169 } })).toThrow(
      'invalid configuration: evidence.urlExpiryHours: must be a whole number of hours from 1 to 168',
    );
    expect(() => parseConfig({ ...BASE, evidence: { objectLock: { mode: 'LEGAL', days: 30 } } })).toThrow(
      'invalid configuration: evidence.objectLock.mode: must be GOVERNANCE or COMPLIANCE',
    );
    expect(() => parseConfig({ ...BASE, evidence: { objectLock: { mode: 'GOVERNANCE', days: 0 } } })).toThrow(
      'invalid configuration: evidence.objectLock.days: must be a whole number of days from 1 to 36500 (100 years)',
    );
    expect(() => parseConfig({ ...BASE, evidence: { channel: 'compliance' } })).toThrow(
      'invalid configuration: evidence.channel: must be a channel id (C…) or #name',
    );
  });
});
