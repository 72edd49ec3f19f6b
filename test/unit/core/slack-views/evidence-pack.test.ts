import { describe, expect, it } from 'vitest';
import { validateBlockKitMessage } from '../../../../core/slack-views/blocks.ts';
import { buildEvidencePackMessage, periodDays } from '../../../../core/slack-views/evidence-pack.ts';

const STORED = {
  packId: 'kubeguard-evidence-20261101-20261201-0a1b2c3d',
  location: '/packs/`x`<!channel>.tar.gz',
  archiveSha256: 'a'.repeat(64),
  manifestSha256: 'b'.repeat(64),
  bytes: 1,
};

describe('the evidence pack message', () => {
  it('shows the half-open period as the days it includes', () => {
    expect(periodDays({ from: '2026-07-01T00:00:00.000Z', to: '2026-10-01T00:00:00.000Z' })).toBe(
      '2026-07-01 to 2026-09-30',
    );
  });

  it('escapes every value: a link cannot be closed early, a location cannot mention or format', () => {
    const message = buildEvidencePackMessage({
      period: { from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' },
      clusters: ['prod<!here>'],
      frameworks: [],
      stored: {
        ...STORED,
        url: 'https://b.example/k?a=1&b=2|<!channel>',
        urlExpiresAt: '2026-12-10T10:00:00.000Z',
      },
      requestedBy: 'schedule',
    });
    const text = JSON.stringify(message);

    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<!here>');
    expect(text).toContain('<https://b.example/k?a=1&amp;b=2%7C&lt;!channel&gt;|Download the archive>');
    expect(text).toContain('1 byte)');
    expect(text).toContain('_No framework summary in this pack._');
    expect(text).toContain('*Retention:* no Object Lock retention set by kubeguard');
    expect(validateBlockKitMessage(message)).toEqual([]);
  });

  it('names the first 20 clusters and counts the rest', () => {
    const clusters = Array.from({ length: 23 }, (_, i) => `cluster-${i}`);
    const message = buildEvidencePackMessage({
      period: { from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' },
      clusters,
      frameworks: [{ framework: 'pci', controls: 1, withEvidence: 1, gaps: 0, exceptions: 0 }],
      stored: STORED,
      requestedBy: { userId: 'U0AUDITOR' },
    });
    const text = JSON.stringify(message);

    expect(text).toContain('`cluster-19` and 3 more (listed in the manifest)');
    expect(text).toContain('*PCI DSS v4.0* — 1 control: 1 with evidence, 0 gaps, 0 exceptions');
    expect(message.text).toBe(
      `Evidence pack 2026-11-01 to 2026-11-30 of 23 clusters: archive SHA-256 ${'a'.repeat(64)}`,
    );
  });
});
