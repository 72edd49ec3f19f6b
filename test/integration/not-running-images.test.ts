import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '#adapters/aws/dynamo-document.ts';
import { findingsTableDefinition } from '#adapters/aws/findings-table.ts';
import { DynamoNotRunningImages, NOT_RUNNING_PARTITION } from '#adapters/aws/not-running-images.ts';
import { gatherDigest } from '#core/digest/gather.ts';
import { digestSourcesOver, staticDigestSources } from '#core/digest/sources.ts';
import { buildDigestMessage } from '#core/slack-views/digest.ts';
import type { NotRunningImage } from '#core/supply-chain/not-running.ts';
import { type Dynalite, startDynalite } from '#test/support/dynalite.ts';

/** The vulnerable images that run nowhere, on DynamoDB (dynalite), and the digest's count of them. */

let db: Dynalite;
let tables = 0;
beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db.stop();
});

async function store(): Promise<{ images: DynamoNotRunningImages; tableName: string }> {
  tables += 1;
  const tableName = `images-${tables}`;
  await db.createTable(findingsTableDefinition(tableName));
  return { images: new DynamoNotRunningImages({ client: db.documentClient, tableName }), tableName };
}

const digest = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const image = (n: number, seenAt: string): NotRunningImage => ({
  digest: digest(n),
  repository: '123456789012/inspector2',
  severities: ['critical', 'medium'],
  findings: 3,
  seenAt,
});
const WEEK = { from: '2026-11-30T09:00:00.000Z', to: '2026-12-07T09:00:00.000Z' };

describe('DynamoNotRunningImages', () => {
  it('keeps one item per digest, counted by last sighting within the range', async () => {
    const { images, tableName } = await store();
    await images.markNotRunning(image(1, '2026-12-01T10:00:00.000Z'));
    await images.markNotRunning(image(1, '2026-12-02T10:00:00.000Z'));
    await images.markNotRunning(image(2, '2026-12-06T23:59:59.000Z'));
    await images.markNotRunning(image(3, '2026-11-20T10:00:00.000Z'));
    await images.markNotRunning(image(4, '2026-12-07T09:00:00.000Z'));

    expect(await images.countNotRunning(WEEK)).toBe(2);
    const { Item: item } = await db.documentClient.send(
      new GetCommand({ TableName: tableName, Key: { pk: NOT_RUNNING_PARTITION, sk: digest(1) } }),
    );
    expect(item).toMatchObject({
      type: 'IMAGE_NOT_RUNNING',
      seenAt: '2026-12-02T10:00:00.000Z',
      severities: ['critical', 'medium'],
      expiresAt: Date.parse('2026-12-02T10:00:00.000Z') / 1000 + 30 * 86_400,
    });
  });

  it('never goes back to an older sighting, and forgets an image only as of a later time', async () => {
    const { images } = await store();
    await images.markNotRunning(image(1, '2026-12-03T10:00:00.000Z'));
    await images.markNotRunning(image(1, '2026-12-01T10:00:00.000Z'));
    // A "runs now" older than the last "runs nowhere" (events out of order) keeps it.
    await images.forget(digest(1), '2026-12-02T10:00:00.000Z');
    expect(await images.countNotRunning({ from: '2026-12-03T00:00:00.000Z', to: WEEK.to })).toBe(1);

    await images.forget(digest(1), '2026-12-04T10:00:00.000Z');
    await images.forget(digest(9), '2026-12-04T10:00:00.000Z');
    expect(await images.countNotRunning(WEEK)).toBe(0);
  });

  it('counts past a page of results', async () => {
    const { images } = await store();
    for (let n = 0; n < 120; n++)
      await images.markNotRunning({ ...image(n, '2026-12-01T10:00:00.000Z'), repository: 'r'.repeat(9000) });

    expect(await images.countNotRunning(WEEK)).toBe(120);
  });
});

describe('the weekly digest’s count of vulnerable images not running', () => {
  const period = { frequency: 'weekly' as const, ...WEEK, nextTo: '2026-12-14T09:00:00.000Z' };

  it('reads the count for the digest’s period from the store and shows it', async () => {
    const { images } = await store();
    await images.markNotRunning(image(1, '2026-12-01T10:00:00.000Z'));
    await images.markNotRunning(image(2, '2026-12-05T10:00:00.000Z'));
    await images.markNotRunning(image(3, '2026-11-01T10:00:00.000Z'));
    const none = async () => [];
    const sources = digestSourcesOver({
      history: { latest: none },
      findings: { listFindings: async () => ({ findings: [], truncated: false }) },
      trail: { byTime: async () => ({ records: [] }) },
      facts: { latest: async () => undefined },
      images,
    });

    const content = await gatherDigest(sources, period, { clusters: ['prod'], suppressions: [] });

    expect(content.vulnerableImagesNotRunning).toBe(2);
    expect(buildDigestMessage(content).blocks).toContainEqual({
      type: 'section',
      block_id: 'digest_images_not_running',
      text: {
        type: 'mrkdwn',
        text: '*Vulnerable images not running* · 2 images with active Inspector findings ran in no configured cluster: no alert until a pod starts one.',
      },
    });
  });

  it('says none for a zero count, and shows nothing where the count is not known', async () => {
    const zero = await gatherDigest(
      staticDigestSources({ history: [], vulnerableImagesNotRunning: 0 }),
      period,
      { clusters: ['prod'], suppressions: [] },
    );
    const unknown = await gatherDigest(staticDigestSources({ history: [] }), period, {
      clusters: ['prod'],
      suppressions: [],
    });

    expect(buildDigestMessage(zero).blocks).toContainEqual(
      expect.objectContaining({
        block_id: 'digest_images_not_running',
        text: { type: 'mrkdwn', text: '*Vulnerable images not running*\nNone this period.' },
      }),
    );
    expect(unknown.vulnerableImagesNotRunning).toBeUndefined();
    expect(JSON.stringify(buildDigestMessage(unknown).blocks)).not.toContain('digest_images_not_running');
  });
});
