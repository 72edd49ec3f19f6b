import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../cli/sandbox/index.ts';
import { loadFixture } from '../support/fixtures.ts';

/**
 * 1,000 distinct findings ingested at once through the sandbox (`POST /api/sandbox/ingest`, JSON
 * Lines of real-format audit events): every one is posted to the page exactly once, by the real
 * audit-logs and delivery handlers over the embedded DynamoDB.
 */
const FINDINGS = 1000;

interface PageMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text: string;
  ephemeral_to?: string;
}

describe('1,000 findings through the sandbox', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ memory: true, port: 0 });
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  it('shows every one on the page, each posted once', async () => {
    const template = loadFixture<Record<string, unknown>>('eks-audit-privileged-pod-create.json');
    const at = new Date().toISOString();
    // One principal per event: KD-001 keys its incident on the actor, so each is its own finding.
    const lines = Array.from({ length: FINDINGS }, (_, i) =>
      JSON.stringify({
        ...template,
        auditID: `load-${i.toString().padStart(6, '0')}`,
        user: { username: `attacker-${i}`, groups: ['system:authenticated'] },
        requestReceivedTimestamp: at,
        stageTimestamp: at,
      }),
    );

    const response = await fetch(`${sandbox.url}api/sandbox/ingest`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-ndjson' },
      body: lines.join('\n'),
    });
    const report = (await response.json()) as Record<string, unknown>;
    await sandbox.kubeguard.settle();
    const { messages } = (await (await fetch(`${sandbox.url}api/sandbox/messages`)).json()) as {
      messages: PageMessage[];
    };

    expect(response.status).toBe(200);
    expect(report).toMatchObject({
      ok: true,
      invocations: { auditLogs: 1, guardDuty: 0 },
      auditEvents: FINDINGS,
      detections: FINDINGS,
      malformed: [],
    });
    const alerts = messages.filter((m) => m.thread_ts === undefined && m.ephemeral_to === undefined);
    const actors = alerts.map((m) => /attacker-(\d+)/.exec(m.text)?.[1]);
    expect(alerts).toHaveLength(FINDINGS);
    expect(new Set(actors).size).toBe(FINDINGS);
    expect(actors.every((actor) => actor !== undefined)).toBe(true);
    expect(new Set(alerts.map((m) => m.channel))).toEqual(new Set(['C0SANDBOX1']));
  }, 120_000);
});
