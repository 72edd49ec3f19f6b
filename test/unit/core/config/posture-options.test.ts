import { describe, expect, it } from 'vitest';
import { parseConfig } from '#core/config/schema.ts';
import { postureAuditOptions } from '#core/posture/config-options.ts';

const BASE = {
  clusters: [{ name: 'prod', region: 'us-east-1' }],
  slack: { defaultChannel: 'C0ALERTS' },
};

describe('posture options in kubeguard.config.json', () => {
  it('passes nothing when nothing is configured: KP-086 is skipped, KP-093 uses its default', () => {
    const config = parseConfig(BASE);

    expect(config.posture).toEqual({});
    expect(postureAuditOptions(config)).toEqual({});
  });

  it('gives KP-086 detection.allowedRegistries and KP-093 posture.criticalImageFindingMaxAgeDays', () => {
    const config = parseConfig({
      ...BASE,
      detection: { allowedRegistries: ['123456789012.dkr.ecr.us-east-1.amazonaws.com'] },
      posture: { criticalImageFindingMaxAgeDays: 30 },
    });

    expect(postureAuditOptions(config)).toEqual({
      approvedRegistries: ['123456789012.dkr.ecr.us-east-1.amazonaws.com'],
      criticalImageFindingMaxAgeDays: 30,
    });
  });

  it('refuses an age that is not a whole number of days from 1 to 365, naming the field', () => {
    for (const days of [0, 366, 7.5]) {
      expect(() => parseConfig({ ...BASE, posture: { criticalImageFindingMaxAgeDays: days } })).toThrow(
        /posture\.criticalImageFindingMaxAgeDays: must be a whole number of days from 1 to 365/,
      );
    }
  });
});
