import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../cli/sandbox/index.ts';
import { analyzeInput } from '../../core/ingest/detect-input.ts';
import { loadFixture } from '../support/fixtures.ts';

/**
 * The sandbox's own API over HTTP: the automation contract, the scenario player and
 * `POST /api/sandbox/ingest` taking every input `kubeguard detect` reads through the real ingest
 * handlers, and state that survives a restart in the data directory.
 */

interface PageMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text: string;
  blocks: unknown[];
  ephemeral_to?: string;
}

/** What a person reads in the message: its text and every block. */
const shown = (message: PageMessage | undefined) => `${message?.text}\n${JSON.stringify(message?.blocks)}`;

async function messages(sandbox: Sandbox): Promise<PageMessage[]> {
  await sandbox.kubeguard.settle();
  return ((await (await fetch(`${sandbox.url}api/sandbox/messages`)).json()) as { messages: PageMessage[] })
    .messages;
}

function post(sandbox: Sandbox, path: string, body: string, type = 'application/json') {
  return fetch(`${sandbox.url}${path}`, { method: 'POST', headers: { 'Content-Type': type }, body });
}

describe('the sandbox API', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ memory: true, port: 0 });
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  it('GET /api/sandbox gives the facts a script needs, and no secret', async () => {
    const response = await fetch(`${sandbox.url}api/sandbox`);

    expect(await response.json()).toEqual({
      ok: true,
      kubeServer: sandbox.cluster.kubeServer,
      clusters: ['sandbox-cluster'],
      channels: [
        { id: 'C0SANDBOX1', name: 'kubeguard-alerts' },
        { id: 'C0SANDBOX2', name: 'kubeguard-audit' },
      ],
      users: [
        { id: 'U0SANDBOXADM', name: 'alice', role: 'admin' },
        { id: 'U0SANDBOXVWR', name: 'victor', role: 'viewer' },
      ],
      teamId: 'T0SANDBOX',
      url: sandbox.url,
    });
    expect(sandbox.cluster.kubeServer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // The demo cluster answers there, as kubectl --server would ask it.
    const pods = (await (
      await fetch(`${sandbox.cluster.kubeServer}/api/v1/namespaces/shop/pods`)
    ).json()) as {
      items: unknown[];
    };
    expect(pods.items).toHaveLength(4);
  });

  it('takes every input kubeguard detect reads, through the ingest handlers, and says what it could not use', async () => {
    const cloudWatchEvent = JSON.stringify(loadFixture('cwlogs-eks-audit-lambda-event.json'));
    const envelope = JSON.stringify(loadFixture('cwlogs-eks-audit-envelope.json'));
    const guardDuty = JSON.stringify(loadFixture('guardduty-eks-privileged-container.json'));
    const exec = JSON.stringify(loadFixture('eks-audit-exec-pod-create.json'));
    const inputs = [cloudWatchEvent, envelope, guardDuty, exec];
    const text = [...inputs, '{"hello":', '{"kind":"Pod"}'].join('\n');
    const now = new Date().toISOString();
    // Each handler invocation analyses its own input, as `kubeguard detect` does one file.
    const perInput = await Promise.all(
      inputs.map((input) => analyzeInput(input, { now, cluster: 'sandbox-cluster' })),
    );
    const detected = await analyzeInput(text, { now, cluster: 'sandbox-cluster' });

    const response = await post(sandbox, 'api/sandbox/ingest', text, 'application/x-ndjson');
    const report = (await response.json()) as Record<string, unknown>;

    expect(response.status).toBe(200);
    expect(report).toMatchObject({
      ok: true,
      // The CloudWatch event and the envelope as they are, the bare exec event wrapped into a third.
      invocations: { auditLogs: 3, guardDuty: 1 },
      detections: perInput.reduce((sum, analysis) => sum + analysis.detections.length, 0),
      ignored: [],
      skipped: 0,
    });
    expect(report.auditEvents).toBe(perInput.reduce((sum, analysis) => sum + analysis.records, 0) - 1);
    expect(report.malformed).toEqual(detected.malformed.map(({ line, reason }) => ({ line, reason })));
    expect((report.malformed as { line: number }[]).map((m) => m.line)).toEqual([5, 6]);
    const posted = (await messages(sandbox)).filter((m) => m.thread_ts === undefined);
    expect(posted.length).toBeGreaterThan(0);
    expect(posted.some((m) => shown(m).includes('Privileged container'))).toBe(true);
    expect(posted.some((m) => shown(m).includes('nginx-deployment-7998647bdf-phvq7'))).toBe(true);
  });

  it('refuses a body that is not sent as JSON, so another site’s form cannot feed it', async () => {
    const exec = JSON.stringify(loadFixture('eks-audit-exec-pod-create.json'));

    const ingest = await post(sandbox, 'api/sandbox/ingest', exec, 'text/plain');
    const scenario = await post(sandbox, 'api/sandbox/scenarios/exec-into-pod', '', 'text/plain');

    expect(ingest.status).toBe(415);
    expect(scenario.status).toBe(415);
    expect(((await ingest.json()) as { error: string }).error).toContain('Content-Type: application/json');
  });

  it('lists the scenarios and plays one as a new event each time', async () => {
    const list = (await (await fetch(`${sandbox.url}api/sandbox/scenarios`)).json()) as {
      scenarios: { id: string }[];
    };
    const before = (await messages(sandbox)).length;

    const first = (await (
      await post(sandbox, 'api/sandbox/scenarios/cryptominer-in-pod', '{}')
    ).json()) as Record<string, unknown>;
    const second = (await (
      await post(sandbox, 'api/sandbox/scenarios/cryptominer-in-pod', '{}')
    ).json()) as Record<string, unknown>;
    const unknown = await post(sandbox, 'api/sandbox/scenarios/nope', '{}');
    const after = await messages(sandbox);

    expect(list.scenarios.map((s) => s.id)).toEqual([
      'exec-into-pod',
      'cryptominer-in-pod',
      'anonymous-access',
    ]);
    expect(first).toMatchObject({
      ok: true,
      scenario: 'cryptominer-in-pod',
      invocations: { guardDuty: 1 },
      detections: 1,
    });
    expect(second).toMatchObject({ ok: true, detections: 1 });
    expect(unknown.status).toBe(404);
    // The first is a new alert; the second, a new occurrence of the same incident, is told in its thread.
    const alert = after
      .slice(before)
      .find((m) => shown(m).includes('cart-x7pql48kf5-bfkfk') && m.thread_ts === undefined);
    expect(alert).toBeDefined();
    expect(after.slice(before).filter((m) => m.thread_ts === alert?.ts).length).toBeGreaterThanOrEqual(1);
  });
});

describe('the sandbox’s state on disk', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kubeguard-state-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('survives a restart: a finding recorded before is listed after', async () => {
    const first = await startSandbox({ dataDir, port: 0 });
    await post(first, 'api/sandbox/scenarios/anonymous-access', '{}');
    await first.kubeguard.settle();
    await first.stop();

    const second = await startSandbox({ dataDir, port: 0 });
    try {
      const act = await post(
        second,
        'api/sandbox/act',
        JSON.stringify({
          kind: 'command',
          user: 'U0SANDBOXADM',
          channel: 'C0SANDBOX1',
          text: '/k8s findings',
        }),
      );
      expect(act.status).toBe(200);
      const answer = (await messages(second)).filter((m) => m.ephemeral_to === 'U0SANDBOXADM');
      expect(answer.map(shown).join('\n')).toContain('Anonymous access granted');
    } finally {
      await second.stop();
    }
  });
});

describe('with a real workspace’s credentials', () => {
  it('serves no page: the bot verifies Slack’s requests with the given secret and the sandbox API stays on loopback', async () => {
    const secret = 'a'.repeat(32);
    const sandbox = await startSandbox({
      memory: true,
      port: 0,
      env: { SLACK_BOT_TOKEN: 'xoxb-real-workspace', SLACK_SIGNING_SECRET: secret },
    });
    try {
      const body = new URLSearchParams({
        team_id: 'T0REAL',
        channel_id: 'C0REAL',
        user_id: 'U0SANDBOXADM',
        command: '/k8s',
        text: 'help',
        response_url: 'https://hooks.slack.com/commands/T0REAL/1/x',
        trigger_id: '1.2.real',
      }).toString();
      const timestamp = String(Math.floor(Date.now() / 1000));
      const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
      const answer = await fetch(String(sandbox.botEventsUrl), {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'X-Slack-Request-Timestamp': timestamp,
          'X-Slack-Signature': signature,
        },
        body,
      });
      const forged = await fetch(String(sandbox.botEventsUrl), {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'X-Slack-Request-Timestamp': timestamp,
          'X-Slack-Signature': `v0=${'0'.repeat(64)}`,
        },
        body: `${body}&x=1`,
      });

      expect(sandbox.mode).toBe('slack-http');
      expect(sandbox.slack).toBeUndefined();
      expect(sandbox.signingSecret).toEqual({ value: secret, generated: false });
      expect(answer.status).toBe(200);
      expect(await answer.text()).toContain('kubeguard commands');
      expect(forged.status).toBe(401);
      expect((await fetch(sandbox.url)).status).toBe(404);
      expect(await (await fetch(`${sandbox.url}api/sandbox`)).json()).toMatchObject({
        clusters: ['sandbox-cluster'],
        channels: [],
        teamId: '',
      });
    } finally {
      await sandbox.stop();
    }
  });
});
