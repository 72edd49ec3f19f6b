import { describe, expect, it } from 'vitest';
import { InMemoryAuditTrail } from '../../../../adapters/local/in-memory-audit-trail.ts';
import { InMemoryClaimStore } from '../../../../adapters/local/in-memory-claims.ts';
import type { AuditWorkerPorts } from '../../../../core/chatops/audit-ports.ts';
import type { EvidenceWorkerPorts } from '../../../../core/chatops/evidence-ports.ts';
import {
  frameworkCounts,
  periodOf,
  previousMonth,
  runMonthlyEvidencePack,
} from '../../../../core/chatops/handlers/evidence.ts';
import type { ReplyTarget } from '../../../../core/chatops/ports.ts';
import type { SlackReply } from '../../../../core/chatops/replies.ts';
import type { QueuedRequest } from '../../../../core/chatops/requests.ts';
import { runQueuedRequest, type WorkerDeps } from '../../../../core/chatops/worker.ts';
import { parseConfig } from '../../../../core/config/schema.ts';
import type { EvidencePackRequest } from '../../../../core/evidence-pack/model.ts';
import type { EvidencePackInStore, EvidencePackStore } from '../../../../core/evidence-pack/ports.ts';
import { validateBlockKitMessage } from '../../../../core/slack-views/blocks.ts';
import { FakeMessenger } from '../../../support/fake-messenger.ts';
import { InMemoryFindingStore } from '../../../support/in-memory-finding-store.ts';

const NOW = '2026-12-03T10:00:00.000Z';

function configWith(evidence: Record<string, unknown> = {}) {
  return parseConfig({
    clusters: [
      { name: 'prod-cluster', region: 'us-east-1' },
      { name: 'staging', region: 'eu-west-1' },
    ],
    slack: { defaultChannel: 'C0ALERTS' },
    authorization: {
      grants: [
        { role: 'viewer', users: ['U0AUDITOR'] },
        { role: 'viewer', users: ['U0PRODONLY'], clusters: ['prod-cluster'] },
      ],
    },
    evidence,
  });
}

/** A control summary as core/evidence-pack/summary.ts writes it (the fields the counts read). */
function control(noEvidence: boolean, failing: number, exceptions: number) {
  return {
    gaps: { noEvidence, failingAtLastRun: Array.from({ length: failing }, () => ({})) },
    exceptions: Array.from({ length: exceptions }, () => ({})),
  };
}

const PACK_ID = 'ep-2026-11-01-2026-12-01-0a1b2c3d4e5f';
const ARCHIVE_SHA = 'a'.repeat(64);
const ARCHIVE_BYTES = 48_213;

/** The SOC 2 summary the fake store read back (core/evidence-pack/summary.ts writes these fields). */
const SOC2_SUMMARY = {
  framework: 'soc2',
  controls: [control(false, 0, 0), control(false, 1, 1), control(true, 0, 0)],
};

/** What the S3 store answers (adapters/evidence/pack-store.ts is tested against an S3 double on its own). */
function written(): EvidencePackInStore {
  return {
    stored: {
      packId: PACK_ID,
      location: `s3://kubeguard-evidence-123456789012-us-east-1/evidence-packs/${PACK_ID}.tar.gz`,
      archiveSha256: ARCHIVE_SHA,
      manifestSha256: 'b'.repeat(64),
      bytes: ARCHIVE_BYTES,
      url: 'https://kubeguard-evidence.s3.amazonaws.com/evidence-packs/p.tar.gz?X-Amz-Expires=604800&X-Amz-Signature=abc',
      urlExpiresAt: '2026-12-10T10:00:00.000Z',
      retainUntil: '2027-12-03T10:00:00.000Z',
    },
    files: 17,
    // A summary that is not one (no controls) is not counted.
    summaries: [SOC2_SUMMARY, { framework: 'pci' }],
  };
}

function setup(evidence: Record<string, unknown> = {}) {
  const built: EvidencePackRequest[] = [];
  const replies: { target: ReplyTarget; reply: SlackReply }[] = [];
  const ports: EvidenceWorkerPorts = {
    sources: {
      clusters: async () => ['prod-cluster', 'staging'],
      postureRuns: async function* () {},
      findings: async function* () {},
      auditRecords: async function* () {},
    },
    store: {
      write: async (request) => {
        built.push(request);
        return written();
      },
    },
  };
  const messenger = new FakeMessenger();
  const trail = new InMemoryAuditTrail();
  const deps: WorkerDeps = {
    config: configWith(evidence),
    findings: new InMemoryFindingStore(),
    trail,
    replies: { reply: async (target, reply) => void replies.push({ target, reply }) },
    delivery: { nudge: async () => {} },
    messenger,
    clock: () => NOW,
    log: { info: () => {}, warn: () => {}, error: () => {} },
    evidence: ports,
  };
  return { deps, built, replies, messenger, trail };
}

function request(userId: string, args: Record<string, unknown>): QueuedRequest {
  return {
    v: 1,
    requestId: 'r-00000000000000e1',
    source: 'command',
    receivedAt: NOW,
    actor: { userId, groups: [] },
    reply: { channelId: 'C0COMPLY', responseUrl: 'https://hooks.slack.com/commands/T0/1/x' },
    kind: 'evidence',
    args: { frameworks: ['soc2', 'pci', 'iso27001'], ...args },
  } as QueuedRequest;
}

const ONCE = { attempt: 1, final: false };

describe('evidence periods', () => {
  it('is the previous calendar month by default, across a year end too', () => {
    expect(previousMonth('2026-12-03T10:00:00.000Z')).toEqual({
      from: '2026-11-01T00:00:00.000Z',
      to: '2026-12-01T00:00:00.000Z',
    });
    expect(previousMonth('2027-01-01T06:00:00.000Z')).toEqual({
      from: '2026-12-01T00:00:00.000Z',
      to: '2027-01-01T00:00:00.000Z',
    });
  });

  it('makes the last day inclusive (half-open end) and refuses a start after today', () => {
    expect(periodOf({ from: '2026-07-01', to: '2026-09-30' }, NOW)).toEqual({
      from: '2026-07-01T00:00:00.000Z',
      to: '2026-10-01T00:00:00.000Z',
    });
    expect(() => periodOf({ from: '2026-12-04', to: '2026-12-31' }, NOW)).toThrow(
      '--from 2026-12-04 is after today (2026-12-03, UTC): a pack holds what has happened; start it today at the latest',
    );
  });
});

describe('/k8s evidence in the worker', () => {
  it('builds every configured cluster into the store and answers with the exact message', async () => {
    const { deps, built, replies, trail } = setup();

    expect(await runQueuedRequest(request('U0AUDITOR', {}), deps, ONCE)).toBe('done');

    expect(built).toEqual([
      {
        clusters: ['prod-cluster', 'staging'],
        period: { from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' },
        frameworks: ['soc2', 'pci', 'iso27001'],
        requestedBy: 'slack:U0AUDITOR',
        generatedAt: NOW,
      },
    ]);
    const sha = ARCHIVE_SHA;
    expect(replies).toHaveLength(1);
    const reply = replies[0]?.reply as SlackReply;
    expect(replies[0]?.target).toEqual({
      userId: 'U0AUDITOR',
      channelId: 'C0COMPLY',
      responseUrl: 'https://hooks.slack.com/commands/T0/1/x',
    });
    expect(reply.text).toBe(`Evidence pack 2026-11-01 to 2026-11-30 of 2 clusters: archive SHA-256 ${sha}`);
    expect(reply.blocks).toEqual([
      { type: 'header', text: { type: 'plain_text', text: 'Evidence pack 2026-11-01 to 2026-11-30' } },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text:
            '*Period:* 2026-11-01 to 2026-11-30 (UTC, both days included)\n' +
            '*Clusters:* `prod-cluster`, `staging`\n' +
            '*Pack:* `ep-2026-11-01-2026-12-01-0a1b2c3d4e5f`, asked by <@U0AUDITOR>',
        },
      },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: '*SOC 2 (2017 TSC)* — 3 controls: 2 with evidence, 2 gaps, 1 exception',
        },
      },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text:
            `*Archive:* <https://kubeguard-evidence.s3.amazonaws.com/evidence-packs/p.tar.gz?X-Amz-Expires=604800&amp;X-Amz-Signature=abc|Download the archive> (48213 bytes) — the link works until 2026-12-10T10:00:00.000Z; stored at \`s3://kubeguard-evidence-123456789012-us-east-1/evidence-packs/ep-2026-11-01-2026-12-01-0a1b2c3d4e5f.tar.gz\`\n` +
            `*Archive SHA-256:* \`${sha}\`\n` +
            `*Manifest SHA-256:* \`${'b'.repeat(64)}\`\n` +
            '*Retention:* Object Lock until 2027-12-03T10:00:00.000Z: this version cannot be deleted or overwritten before then',
        },
      },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: '*Verify:* `sha256sum ep-2026-11-01-2026-12-01-0a1b2c3d4e5f.tar.gz` prints the archive SHA-256 above; unpack it (`tar -xzf ep-2026-11-01-2026-12-01-0a1b2c3d4e5f.tar.gz`), then in `ep-2026-11-01-2026-12-01-0a1b2c3d4e5f/`: `sha256sum manifest.json` prints the manifest SHA-256 and `sha256sum -c SHA256SUMS` says OK for every file (the pack\'s README.md, "How to verify").',
          },
        ],
      },
    ]);
    expect(validateBlockKitMessage({ text: reply.text, blocks: reply.blocks ?? [] })).toEqual([]);
    // The trail records the outcome with the pack and its hashes.
    const outcome = trail.all().find((record) => record.type === 'outcome');
    expect(outcome).toMatchObject({
      kind: 'evidence',
      result: 'done',
      actor: 'U0AUDITOR',
      target: 'evidence pack of every cluster, 2026-11-01T00:00:00.000Z to 2026-12-01T00:00:00.000Z',
    });
    expect(outcome?.detail).toBe(
      `pack ${PACK_ID}: archive sha256 ${sha}, manifest sha256 ${'b'.repeat(64)}, 17 files, s3://kubeguard-evidence-123456789012-us-east-1/evidence-packs/${PACK_ID}.tar.gz, retained until 2027-12-03T10:00:00.000Z`,
    );
  });

  it('covers the named cluster and days only', async () => {
    const { deps, built } = setup();

    await runQueuedRequest(
      request('U0PRODONLY', {
        cluster: 'prod-cluster',
        from: '2026-07-01',
        to: '2026-09-30',
        frameworks: ['pci'],
      }),
      deps,
      ONCE,
    );

    expect(built[0]).toMatchObject({
      clusters: ['prod-cluster'],
      period: { from: '2026-07-01T00:00:00.000Z', to: '2026-10-01T00:00:00.000Z' },
      frameworks: ['pci'],
    });
  });

  it('refuses every cluster to someone who is a viewer of only one, builds nothing and records the denial', async () => {
    const { deps, built, replies, trail } = setup();

    expect(await runQueuedRequest(request('U0PRODONLY', {}), deps, ONCE)).toBe('done');

    expect(built).toEqual([]);
    expect(replies[0]?.reply.text).toContain('viewer');
    expect(replies[0]?.reply.text).toContain('staging');
    expect(trail.all().find((record) => record.type === 'denial')).toMatchObject({
      result: 'denied',
      role: 'viewer',
      cluster: 'staging',
      kind: 'evidence',
    });
  });

  it('refuses someone without any role', async () => {
    const { deps, built, trail } = setup();

    await runQueuedRequest(request('U0STRANGER', { cluster: 'prod-cluster' }), deps, ONCE);

    expect(built).toEqual([]);
    expect(trail.all().find((record) => record.type === 'denial')).toMatchObject({ cluster: 'prod-cluster' });
  });
});

describe('frameworkCounts', () => {
  it('counts the controls of each summary, in the order asked, and leaves out a framework without one', () => {
    expect(frameworkCounts(written().summaries, ['iso27001', 'pci', 'soc2'])).toEqual([
      { framework: 'soc2', controls: 3, withEvidence: 2, gaps: 2, exceptions: 1 },
    ]);
  });
});

describe('the monthly evidence pack', () => {
  it('builds the previous month of every cluster and posts it to evidence.channel', async () => {
    const { deps, built, messenger } = setup({ schedule: true, channel: 'C0COMPLY' });
    const firstOfMonth = { ...deps, clock: () => '2027-01-01T06:00:00.000Z' };

    const result = await runMonthlyEvidencePack(firstOfMonth);

    expect(result).toEqual({ result: 'posted', packId: 'ep-2026-11-01-2026-12-01-0a1b2c3d4e5f' });
    expect(built).toEqual([
      {
        clusters: ['prod-cluster', 'staging'],
        period: { from: '2026-12-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' },
        frameworks: ['soc2', 'pci', 'iso27001'],
        requestedBy: 'schedule',
        generatedAt: '2027-01-01T06:00:00.000Z',
      },
    ]);
    expect(messenger.posts).toHaveLength(1);
    expect(messenger.posts[0]).toMatchObject({ channel: 'C0COMPLY' });
    const blocks = JSON.stringify(messenger.posts[0]);
    expect(blocks).toContain('asked by the monthly schedule');
    expect(blocks).toContain('Evidence pack 2026-12-01 to 2026-12-31');
  });

  it('builds one pack per month when the schedule event is delivered twice, and again after a failure', async () => {
    const { deps, built, messenger } = setup({ schedule: true, channel: 'C0COMPLY' });
    const claims = new InMemoryClaimStore();
    const firstOfMonth: WorkerDeps = {
      ...deps,
      clock: () => '2027-01-01T06:00:00.000Z',
      audit: { claims } as unknown as AuditWorkerPorts,
    };
    const ports = firstOfMonth.evidence as NonNullable<WorkerDeps['evidence']>;
    const store: EvidencePackStore = ports.store;
    let failures = 1;
    let attempts = 0;
    ports.store = {
      write: async (request, sources) => {
        attempts += 1;
        if (failures-- > 0) throw new Error('S3 did not answer');
        return store.write(request, sources);
      },
    };

    await expect(runMonthlyEvidencePack(firstOfMonth)).rejects.toThrow('S3 did not answer');
    expect((await runMonthlyEvidencePack(firstOfMonth)).result).toBe('posted');
    expect(await runMonthlyEvidencePack(firstOfMonth)).toEqual({ result: 'duplicate' });

    expect(attempts).toBe(2);
    expect(built).toHaveLength(1);
    expect(messenger.posts).toHaveLength(1);
  });

  it('does nothing when evidence.schedule is off', async () => {
    const { deps, built, messenger } = setup();

    expect(await runMonthlyEvidencePack(deps)).toEqual({ result: 'skipped' });
    expect(built).toEqual([]);
    expect(messenger.posts).toEqual([]);
  });
});
