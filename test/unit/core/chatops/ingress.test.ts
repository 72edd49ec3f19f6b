import { describe, expect, it } from 'vitest';
import { InMemoryAuditTrail } from '../../../../adapters/local/in-memory-audit-trail.ts';
import { InMemoryClaimStore } from '../../../../adapters/local/in-memory-claims.ts';
import {
  handleButton,
  handleCommand,
  handleFormSubmission,
  type IngressDeps,
} from '../../../../core/chatops/ingress.ts';
import type { QueuedRequest } from '../../../../core/chatops/requests.ts';
import { parseConfig } from '../../../../core/config/schema.ts';
import { KubeguardError } from '../../../../core/errors.ts';
import type { ModalView } from '../../../../core/slack-views/blocks.ts';
import { ALERT_ACTION_IDS } from '../../../../core/slack-views/ids.ts';
import { SUPPRESS_FORM } from '../../../../core/slack-views/suppress-form.ts';

const config = parseConfig({
  clusters: [
    { name: 'prod-cluster', region: 'us-east-1' },
    { name: 'staging', region: 'eu-west-1' },
  ],
  slack: { defaultChannel: '#alerts' },
  authorization: {
    grants: [
      { role: 'admin', users: ['U0ADMIN'] },
      { role: 'responder', userGroups: ['S0ONCALL'], clusters: ['prod-cluster'] },
      { role: 'viewer', users: ['U0VIEWER'] },
    ],
  },
});

const FP = '3f2a9c1e4b5d60718293a4b5c6d7e8f9';
const NOW = Date.parse('2026-12-03T10:00:00.000Z');

function setup(options: { queueFails?: boolean; directoryFails?: boolean; viewsFail?: boolean } = {}) {
  const queued: QueuedRequest[] = [];
  const opened: ModalView[] = [];
  const lookups: string[] = [];
  const logs: { level: string; message: string; attributes?: Record<string, unknown> }[] = [];
  const claims = new InMemoryClaimStore();
  const trail = new InMemoryAuditTrail();
  const deps: IngressDeps = {
    config,
    claims,
    trail,
    queue: {
      enqueue: async (request) => {
        if (options.queueFails && request.kind !== 'reply')
          throw new KubeguardError('UPSTREAM', 'action queue: sending failed');
        queued.push(request);
      },
    },
    directory: {
      members: async (group) => {
        lookups.push(group);
        if (options.directoryFails)
          throw new KubeguardError('UPSTREAM', 'Slack usergroups.users.list failed');
        return group === 'S0ONCALL' ? ['U0ONCALL'] : [];
      },
    },
    views: {
      open: async (_trigger, view) => {
        if (options.viewsFail)
          throw new KubeguardError('INVALID_ARGUMENT', 'Slack views.open failed: expired_trigger_id');
        opened.push(view);
      },
    },
    log: {
      info: (message, attributes) =>
        logs.push({ level: 'info', message, ...(attributes ? { attributes } : {}) }),
      warn: (message, attributes) =>
        logs.push({ level: 'warn', message, ...(attributes ? { attributes } : {}) }),
      error: (message, attributes) =>
        logs.push({ level: 'error', message, ...(attributes ? { attributes } : {}) }),
    },
    nowMs: () => NOW,
  };
  return { deps, queued, opened, lookups, logs, claims, trail };
}

const origin = (userId: string) => ({
  userId,
  teamId: 'T111',
  channelId: 'C0ALERTS',
  responseUrl: 'https://hooks.slack.com/commands/T111/1/x',
});
const click = (userId: string, actionId: string, extra: { actionTs?: string; value?: string } = {}) => ({
  ...origin(userId),
  actionId,
  value: extra.value ?? JSON.stringify({ fp: FP, c: 'prod-cluster' }),
  actionTs: extra.actionTs ?? '1733220000.000100',
  triggerId: '111.222.valid',
  message: { channel: 'C0ALERTS', ts: '1733210000.000200' },
});

describe('the Slack ingress', () => {
  it('queues a permitted command with who asked, the groups that gave the role, and where to answer', async () => {
    const { deps, queued, trail } = setup();

    const reply = await handleCommand(
      { ...origin('U0ONCALL'), text: 'ack 3f2a9c1e', triggerId: '1.2.3' },
      deps,
    );

    expect(reply.text).toMatch(/^Acknowledging finding `3f2a9c1e`… \(request `r-[0-9a-f]{16}`\)$/);
    expect(queued).toEqual([
      {
        v: 1,
        requestId: expect.stringMatching(/^r-[0-9a-f]{16}$/),
        source: 'command',
        receivedAt: '2026-12-03T10:00:00.000Z',
        actor: { userId: 'U0ONCALL', teamId: 'T111', groups: ['S0ONCALL'] },
        reply: { channelId: 'C0ALERTS', responseUrl: 'https://hooks.slack.com/commands/T111/1/x' },
        kind: 'ack',
        args: { finding: '3f2a9c1e' },
      },
    ]);
    expect(trail.all().map((r) => [r.type, r.kind, r.result, r.target])).toEqual([
      ['request', 'ack', 'accepted', 'finding 3f2a9c1e'],
    ]);
  });

  it('asks Slack about no user group when a direct grant decides', async () => {
    const { deps, lookups } = setup();

    await handleCommand({ ...origin('U0ADMIN'), text: 'status', triggerId: '1.2.4' }, deps);

    expect(lookups).toEqual([]);
  });

  it('denies when Slack cannot say who is in a group, and logs why', async () => {
    const { deps, queued, trail, logs } = setup({ directoryFails: true });

    const reply = await handleCommand(
      { ...origin('U0ONCALL'), text: 'ack 3f2a9c1e', triggerId: '1.2.5' },
      deps,
    );

    expect(reply.text).toContain('You need the responder role to acknowledge findings');
    expect(queued).toEqual([]);
    expect(trail.all().map((r) => [r.type, r.result, r.role])).toEqual([['denial', 'denied', 'responder']]);
    expect(logs).toContainEqual({
      level: 'warn',
      message: 'slack user group membership unknown',
      attributes: { userGroup: 'S0ONCALL', code: 'UPSTREAM' },
    });
  });

  it('explains arguments only to someone who may use the command', async () => {
    const { deps, trail } = setup();

    const stranger = await handleCommand(
      { ...origin('U0STRANGER'), text: 'ack nonsense', triggerId: '1.2.6' },
      deps,
    );
    const viewer = await handleCommand(
      { ...origin('U0VIEWER'), text: 'findings --cluster nowhere', triggerId: '1.2.7' },
      deps,
    );

    expect(stranger.text).toContain('You need the responder role to acknowledge findings');
    expect(stranger.text).not.toContain('nonsense');
    expect(viewer.text).toContain('unknown cluster "nowhere"');
    expect(trail.all().map((r) => [r.actor, r.type, r.result])).toEqual([
      ['U0STRANGER', 'denial', 'denied'],
      ['U0VIEWER', 'request', 'invalid'],
    ]);
  });

  it('gives the claim back and says so when the request cannot be queued, so asking again works', async () => {
    const { deps, claims } = setup({ queueFails: true });

    const reply = await handleCommand({ ...origin('U0ADMIN'), text: 'status', triggerId: '1.2.8' }, deps);

    expect(reply.text).toContain('A service kubeguard depends on failed');
    expect(claims.size()).toBe(0);
  });

  it('refuses a button whose value kubeguard did not write, answering through the queue', async () => {
    const { deps, queued, trail } = setup();

    await handleButton(
      click('U0ADMIN', ALERT_ACTION_IDS.acknowledge, { value: '{"fp":"<!channel>"}' }),
      deps,
    );

    expect(queued.map((r) => [r.kind, r.kind === 'reply' ? r.args.text : ''])).toEqual([
      ['reply', expect.stringContaining('this button does not name a finding kubeguard knows')],
    ]);
    expect(trail.all().map((r) => [r.type, r.result])).toEqual([['request', 'invalid']]);
  });

  it('opens the suppress form with references only, after checking the role for the alert’s cluster', async () => {
    const { deps, opened, queued } = setup();

    await handleButton(click('U0ONCALL', ALERT_ACTION_IDS.suppress), deps);

    expect(queued).toEqual([]);
    expect(opened).toHaveLength(1);
    expect(JSON.parse(opened[0]?.private_metadata ?? '')).toEqual({
      fp: FP,
      c: 'prod-cluster',
      ch: 'C0ALERTS',
      ts: '1733210000.000200',
    });
  });

  it('tells the person when the form could not be opened', async () => {
    const { deps, queued, trail } = setup({ viewsFail: true });

    await handleButton(click('U0ONCALL', ALERT_ACTION_IDS.suppress), deps);

    expect(queued.map((r) => r.kind)).toEqual(['reply']);
    expect(trail.all().map((r) => [r.type, r.result, r.detail])).toEqual([
      ['request', 'failed', 'the form could not be opened'],
    ]);
  });

  it('checks the role again when the form is submitted, whatever it was when it opened', async () => {
    const { deps, queued, trail } = setup();
    const metadata = JSON.stringify({ fp: FP, c: 'staging', ch: 'C0ALERTS', ts: '1733210000.000200' });

    const ack = await handleFormSubmission(
      {
        ...origin('U0ONCALL'),
        callbackId: SUPPRESS_FORM.callbackId,
        viewId: 'V1',
        viewHash: '1.abc',
        privateMetadata: metadata,
        values: {
          [SUPPRESS_FORM.duration.blockId]: { [SUPPRESS_FORM.duration.actionId]: { value: '4h' } },
          [SUPPRESS_FORM.reason.blockId]: { [SUPPRESS_FORM.reason.actionId]: { value: 'noise' } },
        },
      },
      deps,
    );

    expect(ack).toEqual({
      response_action: 'errors',
      errors: {
        [SUPPRESS_FORM.duration.blockId]:
          'You need the responder role to suppress findings on cluster staging — ask an admin (@U0ADMIN).',
      },
    });
    expect(queued).toEqual([]);
    expect(trail.all().map((r) => [r.type, r.cluster])).toEqual([['denial', 'staging']]);
  });

  it('takes a corrected form as a new request and the same values twice as one', async () => {
    const { deps, queued } = setup();
    const submit = (duration: string) =>
      handleFormSubmission(
        {
          ...origin('U0ADMIN'),
          callbackId: SUPPRESS_FORM.callbackId,
          viewId: 'V2',
          viewHash: '1.same',
          privateMetadata: JSON.stringify({ fp: FP }),
          values: {
            [SUPPRESS_FORM.duration.blockId]: { [SUPPRESS_FORM.duration.actionId]: { value: duration } },
            [SUPPRESS_FORM.reason.blockId]: { [SUPPRESS_FORM.reason.actionId]: { value: 'noisy job' } },
          },
        },
        deps,
      );

    expect(await submit('forever')).toMatchObject({ response_action: 'errors' });
    expect(await submit('4h')).toBeUndefined();
    expect(await submit('4h')).toBeUndefined();

    expect(queued.map((r) => [r.kind, r.args])).toEqual([
      ['suppress', { finding: FP, minutes: 240, reason: 'noisy job' }],
    ]);
  });
});
