import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySlackSignature } from '../../../core/chatops/signature.ts';

/**
 * A stand-in for the bot's `/slack/events`: it checks every request's signature with kubeguard's own
 * verifier (core/chatops/signature.ts), records what arrived, and answers with what the test's
 * `respond` says — so a browser test can see exactly the bytes the sandbox's proxy sent.
 */
export interface ReceivedRequest {
  headers: IncomingMessage['headers'];
  body: string;
  /** The verifier's verdict on the signature and timestamp. */
  verified: boolean;
  /** A slash command's form fields, or undefined for an interaction. */
  form?: Record<string, string>;
  /** An interaction's JSON payload. */
  payload?: Record<string, unknown>;
}

export interface StubAnswer {
  status?: number;
  body?: string | Record<string, unknown>;
}

export interface StubBot {
  url: string;
  received: ReceivedRequest[];
  respond: (request: ReceivedRequest) => Promise<StubAnswer> | StubAnswer;
  stop(): Promise<void>;
}

export async function startStubBot(signingSecret: string): Promise<StubBot> {
  const bot: StubBot = {
    url: '',
    received: [],
    respond: () => ({}),
    stop: async () => undefined,
  };
  const server = createServer((request, response) => {
    void handle(bot, signingSecret, request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  bot.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  bot.stop = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return bot;
}

async function handle(bot: StubBot, secret: string, request: IncomingMessage, response: ServerResponse) {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const verdict = verifySlackSignature(
    {
      signature: request.headers['x-slack-signature'] as string | undefined,
      timestamp: request.headers['x-slack-request-timestamp'] as string | undefined,
      rawBody: raw,
    },
    secret,
    Math.floor(Date.now() / 1000),
  );
  const body = raw.toString('utf8');
  const fields = Object.fromEntries(new URLSearchParams(body));
  const received: ReceivedRequest = {
    headers: request.headers,
    body,
    verified: verdict.ok,
    ...(typeof fields.payload === 'string'
      ? { payload: JSON.parse(fields.payload) as Record<string, unknown> }
      : { form: fields }),
  };
  bot.received.push(received);
  if (!verdict.ok) {
    response.writeHead(401).end();
    return;
  }
  const answer = await bot.respond(received);
  const payload = answer.body ?? '';
  response.writeHead(answer.status ?? 200, {
    'Content-Type': typeof payload === 'string' ? 'text/plain' : 'application/json',
  });
  response.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
}
