import { beforeEach, describe, expect, it, vi } from 'vitest';
import { InMemoryAuditTrail } from '#adapters/local/in-memory-audit-trail.ts';
import { InMemoryClaimStore } from '#adapters/local/in-memory-claims.ts';
import type { AuditWorkerPorts } from '#core/chatops/audit-ports.ts';
import type { ReplyTarget } from '#core/chatops/ports.ts';
import type { SlackReply } from '#core/chatops/replies.ts';
import type { QueuedRequest } from '#core/chatops/requests.ts';
import { runQueuedRequest, type WorkerDeps } from '#core/chatops/worker.ts';
import { parseConfig } from '#core/config/schema.ts';
import { KubeguardError } from '#core/errors.ts';
import type {
  GeneratedPolicies,
  PolicyGenerationOptions,
  PolicyInput,
} from '#core/policy-as-code/generate.ts';
import { runAudit } from '#core/posture/engine.ts';
import type { AuditReport } from '#core/posture/report.ts';
import type { PolicyFile } from '#core/posture/report-exports.ts';
import { buildPolicyResultMessage } from '#core/slack-views/policy-result.ts';
import { FakeMessenger } from '#test/support/fake-messenger.ts';
import { InMemoryFindingStore } from '#test/support/in-memory-finding-store.ts';
import { corpusSnapshot } from '../posture/support.ts';

/**
 * The worker's `policies` request ("Generate policies" submitted): the role again, the stored report,
 * the generator, the stored YAML and the reply in the summary's thread. The generator is a typed
 * stand-in here (its own tests hold its output; policies-real.test.ts runs the real one through this
 * handler), so what is asserted is the plumbing around it.
 */

const generator = vi.hoisted(() => ({
  calls: [] as { cluster: string; options: unknown }[],
  fail: undefined as Error | undefined,
  empty: false,
}));

/** What the generator would say about a report: a policy per failed KP-060, its failures to change. */
function fakeGeneration(report: PolicyInput, options: PolicyGenerationOptions): GeneratedPolicies {
  const failing = report.results.filter((r) => r.checkId === 'KP-060' && r.status === 'fail');
  const none = generator.empty || failing.length === 0;
  return {
    documents: [],
    yaml: `# KP-060 ${options.engine} ${options.mode}\n`,
    policies: none
      ? []
      : [
          {
            checkId: 'KP-060',
            name: 'kubeguard-kp-060',
            namespaces: ['payments'],
            references: ['CIS 4.2.1'],
          },
        ],
    mustChange: none
      ? []
      : failing.map((r) => ({ checkId: r.checkId, object: r.object, message: r.message })),
    notGenerated: [{ checkId: 'KP-086', reason: 'no registry allow-list is configured' }],
  };
}

vi.mock('../../../../core/policy-as-code/generate.ts', () => ({
  generatePolicies: (report: PolicyInput, options: PolicyGenerationOptions) => {
    generator.calls.push({ cluster: report.cluster, options });
    if (generator.fail !== undefined) throw generator.fail;
    return fakeGeneration(report, options);
  },
}));

const config = parseConfig({
  clusters: [{ name: 'prod-cluster', region: 'us-east-1' }],
  slack: { defaultChannel: 'C0ALERTS' },
  detection: { allowedRegistries: ['123456789012.dkr.ecr.us-east-1.amazonaws.com/'] },
  authorization: {
    grants: [
      { role: 'admin', users: ['U0ADMIN'] },
      { role: 'viewer', users: ['U0VIEWER'] },
    ],
  },
});
const NOW = '2026-12-03T10:00:00.000Z';
const TAKEN_AT = '2026-12-03T06:00:00.000Z';
const REF = `prod-cluster/${TAKEN_AT}`;
const REPORT: AuditReport = {
  ...runAudit(corpusSnapshot('m08.yaml', 'm18.yaml', 'm22.yaml')),
  cluster: 'prod-cluster',
  takenAt: TAKEN_AT,
};
const THREAD = { channel: 'C0ALERTS', ts: '1733220000.000100' };

function setup(options: { stored?: boolean; policies?: boolean } = {}) {
  const replies: { target: ReplyTarget; reply: SlackReply }[] = [];
  const files: { reportId: string; file: PolicyFile; at: string }[] = [];
  const storeFailures: KubeguardError[] = [];
  const trail = new InMemoryAuditTrail();
  const messenger = new FakeMessenger();
  const claims = new InMemoryClaimStore();
  const audit: AuditWorkerPorts = {
    runner: { collect: () => Promise.reject(new Error('no audits here')) },
    history: { put: async () => {}, latest: async () => [] } as unknown as AuditWorkerPorts['history'],
    exports: { putReportExports: () => Promise.reject(new Error('no exports here')) },
    reports: {
      read: async (where) =>
        options.stored !== false && where.cluster === REPORT.cluster && where.takenAt === REPORT.takenAt
          ? REPORT
          : undefined,
    },
    claims,
    views: { update: async () => {} },
    ...(options.policies === false
      ? {}
      : {
          policies: {
            async putPolicyFile(reportId, file, at) {
              const failure = storeFailures.shift();
              if (failure !== undefined) throw failure;
              files.push({ reportId, file, at });
              return `/evidence/${reportId}/policies/${file.engine}-${file.mode}/policies.yaml`;
            },
          },
        }),
  };
  const deps: WorkerDeps = {
    config,
    findings: new InMemoryFindingStore(),
    trail,
    replies: {
      reply: async (target, reply) => {
        replies.push({ target, reply });
      },
    },
    delivery: { nudge: async () => {} },
    messenger,
    clock: () => NOW,
    log: { info: () => {}, warn: () => {}, error: () => {} },
    audit,
  };
  return { deps, trail, replies, files, messenger, claims, storeFailures };
}

function request(
  userId: string,
  args: Partial<{
    engine: 'vap' | 'kyverno';
    mode: 'warn' | 'deny';
    ref: string;
    thread?: typeof THREAD;
  }> = {},
  requestId = 'r-00000000000000aa',
): QueuedRequest {
  return {
    v: 1,
    requestId,
    source: 'modal',
    receivedAt: NOW,
    actor: { userId, teamId: 'T111', groups: [] },
    reply: { channelId: 'C0ALERTS' },
    kind: 'policies',
    args: { ref: REF, engine: 'vap', mode: 'warn', thread: THREAD, ...args },
  };
}

const first = { attempt: 1, final: false };

beforeEach(() => {
  generator.calls.length = 0;
  generator.fail = undefined;
  generator.empty = false;
});

describe('Generate policies in the worker', () => {
  it('generates from the stored report, stores the YAML beside it and answers in the summary’s thread', async () => {
    const s = setup();

    expect(
      await runQueuedRequest(request('U0VIEWER', { engine: 'kyverno', mode: 'deny' }), s.deps, first),
    ).toBe('done');

    expect(generator.calls).toEqual([
      {
        cluster: 'prod-cluster',
        options: {
          engine: 'kyverno',
          mode: 'deny',
          approvedRegistries: ['123456789012.dkr.ecr.us-east-1.amazonaws.com/'],
        },
      },
    ]);
    expect(s.files).toEqual([
      {
        reportId: 'audits/prod-cluster/20261203T060000.000Z',
        file: { engine: 'kyverno', mode: 'deny', yaml: '# KP-060 kyverno deny\n' },
        at: NOW,
      },
    ]);
    const expected = buildPolicyResultMessage({
      ref: REF,
      engine: 'kyverno',
      mode: 'deny',
      generated: fakeGeneration(REPORT, { engine: 'kyverno', mode: 'deny' }),
      file: '/evidence/audits/prod-cluster/20261203T060000.000Z/policies/kyverno-deny/policies.yaml',
      requestedBy: 'U0VIEWER',
    });
    expect(s.messenger.posts).toEqual([
      expect.objectContaining({
        method: 'postMessage',
        channel: THREAD.channel,
        threadTs: THREAD.ts,
        text: expected.text,
        blocks: expected.blocks,
      }),
    ]);
    expect(s.replies).toEqual([]);
    expect(s.trail.all().map((r) => [r.type, r.kind, r.result, r.cluster, r.target, r.detail])).toEqual([
      [
        'outcome',
        'policies',
        'done',
        'prod-cluster',
        `audit report ${REF}`,
        '1 policies (kyverno, deny), 1 workloads must change, 1 checks not generated; /evidence/audits/prod-cluster/20261203T060000.000Z/policies/kyverno-deny/policies.yaml',
      ],
    ]);
  });

  it('denies someone without a role on the report’s cluster, records it, and generates nothing', async () => {
    const s = setup();

    expect(await runQueuedRequest(request('U0STRANGER'), s.deps, first)).toBe('done');

    expect(generator.calls).toEqual([]);
    expect(s.files).toEqual([]);
    expect(s.messenger.posts).toEqual([]);
    expect(s.trail.all().map((r) => [r.type, r.result, r.role, r.cluster])).toEqual([
      ['denial', 'denied', 'viewer', 'prod-cluster'],
    ]);
    expect(s.replies[0]?.reply.text).toContain('generate admission policies from posture audits');
    expect(s.replies[0]?.reply.text).toContain('viewer');
  });

  it('runs once for the same report, engine and mode submitted twice; another mode is its own request', async () => {
    const s = setup();

    await runQueuedRequest(request('U0VIEWER', {}, 'r-00000000000000a1'), s.deps, first);
    await runQueuedRequest(request('U0ADMIN', {}, 'r-00000000000000a2'), s.deps, first);
    await runQueuedRequest(request('U0ADMIN', { mode: 'deny' }, 'r-00000000000000a3'), s.deps, first);

    expect(s.files.map((f) => f.file.mode)).toEqual(['warn', 'deny']);
    expect(s.messenger.posts).toHaveLength(2);
    expect(s.replies.map((r) => r.reply.text)).toEqual([
      "These policies (vap, warn) were just generated from this audit; the reply is in the summary's thread.",
    ]);
    expect(s.trail.all().map((r) => [r.requestId, r.result])).toEqual([
      ['r-00000000000000a1', 'done'],
      ['r-00000000000000a2', 'unchanged'],
      ['r-00000000000000a3', 'done'],
    ]);
  });

  it('gives the claim back when it fails, so the queue’s retry generates and answers', async () => {
    const s = setup();
    s.storeFailures.push(new KubeguardError('UPSTREAM', 'S3 is having a moment'));

    expect(await runQueuedRequest(request('U0VIEWER'), s.deps, first)).toBe('retry');
    expect(await runQueuedRequest(request('U0VIEWER'), s.deps, { attempt: 2, final: false })).toBe('done');

    expect(s.files).toHaveLength(1);
    expect(s.messenger.posts).toHaveLength(1);
  });

  it('answers the person with the same message when there is no thread, or posting there fails', async () => {
    const s = setup();
    await runQueuedRequest(request('U0VIEWER', { thread: undefined }), s.deps, first);
    s.messenger.failNext(new KubeguardError('FORBIDDEN', 'not_in_channel'));
    await runQueuedRequest(request('U0VIEWER', { mode: 'deny' }, 'r-00000000000000bb'), s.deps, first);

    expect(s.messenger.posts).toEqual([]);
    expect(s.replies.map((r) => [r.target.channelId, r.reply.text])).toEqual([
      [
        'C0ALERTS',
        '1 ValidatingAdmissionPolicy (warn) generated from the audit of prod-cluster; 1 workloads must change first',
      ],
      [
        'C0ALERTS',
        '1 ValidatingAdmissionPolicy (deny) generated from the audit of prod-cluster; 1 workloads must change first',
      ],
    ]);
    expect(s.replies[0]?.reply.blocks?.[0]).toMatchObject({ block_id: 'policies_summary' });
  });

  it('says when the report is no longer stored, and when nothing can be generated', async () => {
    const gone = setup({ stored: false });
    await runQueuedRequest(request('U0VIEWER'), gone.deps, first);
    expect(gone.replies[0]?.reply.text).toContain(
      'no stored report of the audit of prod-cluster taken 2026-12-03T06:00:00.000Z',
    );
    // Failed: asking again is possible at once.
    expect(gone.claims.size()).toBe(0);

    generator.empty = true;
    const nothing = setup();
    await runQueuedRequest(request('U0VIEWER'), nothing.deps, first);
    expect(nothing.files).toEqual([]);
    expect(nothing.replies[0]?.reply.text).toBe(
      'No policy can be generated from this audit: no failed Pod Security or image check the generator can express (KP-086: no registry allow-list is configured).',
    );
  });

  it('says the worker is not set up when it has nowhere to store policies', async () => {
    const s = setup({ policies: false });

    await runQueuedRequest(request('U0VIEWER'), s.deps, first);

    expect(generator.calls).toEqual([]);
    expect(s.replies[0]?.reply.text).toContain('not set up to store generated policies');
  });
});
