import { describe, expect, it } from 'vitest';
import { InMemoryAuditTrail } from '../../../adapters/local/in-memory-audit-trail.ts';
import { InMemoryClaimStore } from '../../../adapters/local/in-memory-claims.ts';
import { createHttpBot } from '../../../bot/composition.ts';
import { slackRequestOf } from '../../../bot/lambda.ts';
import type { IngressDeps } from '../../../core/chatops/ingress.ts';
import type { QueuedRequest } from '../../../core/chatops/requests.ts';
import { parseConfig } from '../../../core/config/schema.ts';
import { FIXTURE_SIGNING_SECRET, signed, slashCommandBody } from '../../support/slack-requests.ts';

function bot() {
  const queued: QueuedRequest[] = [];
  const deps: IngressDeps = {
    config: parseConfig({
      clusters: [{ name: 'prod-cluster', region: 'us-east-1' }],
      slack: { defaultChannel: 'C0ALERTS' },
      authorization: { grants: [{ role: 'admin', users: ['U0ADMIN'] }] },
    }),
    claims: new InMemoryClaimStore(),
    trail: new InMemoryAuditTrail(),
    queue: { enqueue: async (request) => void queued.push(request) },
    directory: { members: async () => [] },
    views: { open: async () => {} },
    log: { info: () => {}, warn: () => {}, error: () => {} },
    nowMs: () => Date.now(),
  };
  return {
    ingress: createHttpBot({ deps, botToken: 'xoxb-test', signingSecret: FIXTURE_SIGNING_SECRET }),
    queued,
  };
}

describe('the Slack ingress Lambda entry', () => {
  it('verifies a base64 body with non-ASCII text on its exact bytes and hands Bolt the same text', async () => {
    const { ingress } = bot();
    const request = signed(
      slashCommandBody({ user_id: 'U0ADMIN', text: 'suppress 3f2a9c1e 4h Lärm — ü', trigger_id: '9.9.9' }),
    );

    const answer = await ingress(
      slackRequestOf({
        headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v])),
        body: Buffer.from(request.body, 'utf8').toString('base64'),
        isBase64Encoded: true,
        rawPath: '/slack/events',
      }),
    );

    expect(answer.statusCode).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringContaining('Suppressing finding'),
    });
  });

  it('takes a plain body as UTF-8 and an absent one as empty', () => {
    expect(slackRequestOf({ body: 'text=ü' }).body).toEqual(Buffer.from('text=ü', 'utf8'));
    expect(slackRequestOf({ body: null }).body).toEqual(Buffer.alloc(0));
  });

  it('refuses a request whose bytes changed on the way with a bare 401', async () => {
    const { ingress, queued } = bot();
    const request = signed(
      `${slashCommandBody({ user_id: 'U0ADMIN', text: 'status', trigger_id: '9.9.8' })}&note=Grüße`,
    );
    // What Bolt's AwsLambdaReceiver would have verified: the body decoded from base64 as ASCII.
    const mangled = Buffer.from(Buffer.from(request.body, 'utf8').toString('ascii'), 'utf8');

    const answer = await ingress({ headers: request.headers, body: mangled });

    expect(answer).toEqual({ statusCode: 401, body: '' });
    expect(queued).toEqual([]);
  });
});
