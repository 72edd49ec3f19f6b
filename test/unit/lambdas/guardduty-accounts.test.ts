import { describe, expect, it } from 'vitest';
import { parseConfig } from '#core/config/schema.ts';
import type { RecordReport } from '#core/findings/pipeline.ts';
import { renderFindingAlert } from '#core/findings/render.ts';
import { normalizeGuardDutyEvent } from '#core/guardduty/normalize.ts';
import type { Detection } from '#core/model/detection.ts';
import { openFinding } from '#core/model/finding.ts';
import { routeDetection } from '#core/routing.ts';
import type { Block } from '#core/slack-views/blocks.ts';
import { createGuardDutyHandler } from '#lambdas/guardduty-findings/handler.ts';
import type { FunctionLogger } from '#lambdas/shared/logger.ts';
import { loadFixture } from '#test/support/fixtures.ts';

/**
 * The delegated GuardDuty administrator (home 111122223333) receives the findings of its member
 * account 222233334444 (`detail.accountId`); the real fixtures are re-attributed to it.
 */
const CONFIG = parseConfig({
  home: { account: '111122223333', region: 'us-east-1' },
  accounts: [{ id: '222233334444', name: 'prod', externalId: 'kubeguard-prod-7f3a' }],
  clusters: [{ name: 'guardduty-blueprint', region: 'us-east-1', account: '222233334444' }],
  slack: {
    defaultChannel: 'C0ALERTS',
    routes: [{ account: '222233334444', channel: 'C0PRODSEC' }],
  },
});

type GuardDutyEvent = { detail: Record<string, unknown> } & Record<string, unknown>;

/** A real GuardDuty fixture as the administrator receives it for `account`. */
function findingOf(fixture: string, account: string): GuardDutyEvent {
  const event = loadFixture<GuardDutyEvent>(fixture, 'event');
  return { ...event, detail: { ...event.detail, accountId: account } };
}

function setup() {
  const warnings: { message: string; attributes: Record<string, unknown> }[] = [];
  const recorded: Detection[] = [];
  const logger: FunctionLogger = {
    info: () => undefined,
    warn: (message, attributes = {}) => warnings.push({ message, attributes }),
    error: () => undefined,
  };
  const handle = createGuardDutyHandler({
    config: CONFIG,
    logger,
    findings: {
      async record(detections): Promise<RecordReport> {
        recorded.push(...detections);
        return { fingerprints: [], occurrencesStored: 1, toDeliver: 1 } as unknown as RecordReport;
      },
    },
  });
  return { handle, warnings, recorded };
}

function accountField(blocks: readonly Block[]): string | undefined {
  const where = blocks.find((block) => block.block_id === 'alert_where') as
    | { fields?: { text: string }[] }
    | undefined;
  return where?.fields?.map((field) => field.text).find((text) => text.startsWith('*Account*'));
}

describe('GuardDuty findings of member accounts', () => {
  it('routes a member account’s finding by account and names the account in the alert', async () => {
    const { handle, warnings, recorded } = setup();

    await handle(findingOf('guardduty-eks-privileged-container.json', '222233334444'));

    expect(warnings).toEqual([]);
    const [detection] = recorded as [Detection];
    expect(detection).toMatchObject({ account: '222233334444', cluster: 'guardduty-blueprint' });
    expect(routeDetection(detection, CONFIG.slack).channel).toBe('C0PRODSEC');
    const alert = renderFindingAlert(
      openFinding(detection, '2026-12-03T10:00:00.000Z'),
      CONFIG.slack,
      CONFIG.accounts,
    );
    expect(accountField(alert.blocks)).toBe('*Account*\n`prod (222233334444) us-east-1`');
  });

  it('keeps but warns about a finding for a cluster of the same name in another account', async () => {
    const { handle, warnings, recorded } = setup();

    await handle(findingOf('guardduty-eks-privileged-container.json', '999988887777'));

    expect(recorded).toHaveLength(1);
    expect(warnings).toEqual([
      {
        message: 'GuardDuty finding for a cluster not in kubeguard.config.json',
        attributes: {
          cluster: 'guardduty-blueprint',
          account: '999988887777',
          configuredClusters: ['guardduty-blueprint'],
        },
      },
    ]);
    expect(routeDetection(recorded[0] as Detection, CONFIG.slack).channel).toBe('C0ALERTS');
    const alert = renderFindingAlert(
      openFinding(recorded[0] as Detection, '2026-12-03T10:00:00.000Z'),
      CONFIG.slack,
      CONFIG.accounts,
    );
    // An account kubeguard does not know by name still shows, by its id.
    expect(accountField(alert.blocks)).toBe('*Account*\n`999988887777 us-east-1`');
  });

  it('escapes the account name like every interpolated value', () => {
    const normalized = normalizeGuardDutyEvent(
      findingOf('guardduty-eks-privileged-container.json', '222233334444'),
    );
    if (normalized.kind !== 'detection') throw new Error(normalized.reason);
    const hostile = [{ id: '222233334444', name: 'prod`<!channel>', roleArn: 'x', externalId: 'y' }];
    const alert = renderFindingAlert(
      openFinding(normalized.detection, '2026-12-03T10:00:00.000Z'),
      CONFIG.slack,
      hostile,
    );
    const field = accountField(alert.blocks) ?? '';
    expect(field).not.toContain('<!channel>');
    expect(field).toContain('222233334444');
  });
});
