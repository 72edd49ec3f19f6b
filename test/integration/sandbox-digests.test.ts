import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../cli/sandbox/index.ts';

/**
 * The sandbox's digests: a subscription made on the page with `/k8s digest`, then "Send digests now"
 * (`POST /api/sandbox/digests/send`) runs the digest function's handler in process — the digest and
 * its chart appear in the person's direct messages on the page, once per period.
 */

interface PageMessage {
  channel: string;
  text: string;
  blocks: unknown[];
  files: { name: string; type: string; url: string; size: number }[];
  ephemeral_to?: string;
}

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ memory: true, port: 0 });
});
afterAll(async () => {
  await sandbox?.stop();
});

function post(path: string, body: unknown) {
  return fetch(`${sandbox.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function messages(): Promise<PageMessage[]> {
  await sandbox.kubeguard.settle();
  return ((await (await fetch(`${sandbox.url}api/sandbox/messages`)).json()) as { messages: PageMessage[] })
    .messages;
}

describe('sending digests now in the sandbox', () => {
  it('posts the digest and its PNG chart to the subscriber, and not twice for one period', async () => {
    await post('api/sandbox/act', {
      kind: 'command',
      user: 'U0SANDBOXVWR',
      channel: 'C0SANDBOX1',
      text: '/k8s digest subscribe weekly all me',
    });
    const subscribed = (await messages()).filter((m) => m.ephemeral_to === 'U0SANDBOXVWR');
    expect(subscribed.map((m) => m.text).join('\n')).toContain(
      'Subscribed: the weekly digest of every cluster by direct message',
    );

    const refused = await fetch(`${sandbox.url}api/sandbox/digests/send`, { method: 'POST', body: '{}' });
    expect(refused.status).toBe(415);

    const sent = await post('api/sandbox/digests/send', {});
    expect(sent.status).toBe(200);
    const report = (await sent.json()) as { ok: boolean; due: number; sent: string[]; alreadySent: number };
    expect(report).toMatchObject({ ok: true, due: 1, alreadySent: 0 });
    expect(report.sent).toHaveLength(1);
    expect(report.sent[0]).toMatch(/^[0-9a-f]{24}:\d{4}-W\d{2}$/);

    const dm = (await messages()).filter((m) => m.channel === 'D0SANDBOXVWR');
    expect(dm).toHaveLength(2);
    expect(dm[0]?.text).toContain('posture');
    const [chart] = dm[1]?.files ?? [];
    expect(chart?.type).toBe('image/png');
    expect(chart?.name).toMatch(/^kubeguard-posture-\d{4}-W\d{2}\.png$/);
    const png = new Uint8Array(await (await fetch(new URL(chart?.url ?? '', sandbox.url))).arrayBuffer());
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.length).toBe(chart?.size);

    const again = (await (await post('api/sandbox/digests/send', {})).json()) as {
      sent: string[];
      alreadySent: number;
    };
    expect(again).toMatchObject({ sent: [], alreadySent: 1 });
    expect((await messages()).filter((m) => m.channel === 'D0SANDBOXVWR')).toHaveLength(2);
  });
});
