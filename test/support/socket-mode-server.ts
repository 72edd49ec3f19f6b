import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { readFixtureFile } from './fixtures.ts';

/**
 * Slack's Socket Mode end on 127.0.0.1, for testing bot/local.ts's Socket Mode entry: the Web API
 * method `apps.connections.open` (Bearer app token → a `ws://` URL to this server) and a WebSocket
 * (RFC 6455, text frames, ping → pong, close) that sends the documented `hello` on connect, then the
 * envelopes a test sends, and records the acknowledgements the app writes back. The message shapes
 * come from test/fixtures/slack-socket-mode.json (Slack's Socket Mode guide).
 *
 * Written on node:http rather than a WebSocket library: no package in the dependencies provides a
 * server with types, and the part of the protocol Slack's client uses here is small.
 */
export interface SocketModeAck {
  envelope_id: string;
  payload?: Record<string, unknown>;
}

const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const fixture = readFixtureFile('slack-socket-mode.json');

export class SocketModeServer {
  /** Every acknowledgement received, in order. */
  readonly acks: SocketModeAck[] = [];
  /** App tokens apps.connections.open was called with. */
  readonly connectionsOpened: string[] = [];
  readonly #appToken: string;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #client: Socket | undefined;
  #waiters: { envelopeId: string; resolve: (ack: SocketModeAck) => void }[] = [];

  constructor(appToken: string) {
    this.#appToken = appToken;
    this.#server = createServer((request, response) => {
      void this.#api(request).then(({ status, body }) => {
        response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
        response.end(JSON.stringify(body));
      });
    });
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    this.#server.on('upgrade', (request, socket) => this.#upgrade(request, socket as Socket));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  /** Where @slack/web-api sends apps.connections.open (`clientOptions.slackApiUrl`). */
  get apiUrl(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/api/`;
  }

  get connected(): boolean {
    return this.#client !== undefined;
  }

  /** Sends an envelope `{payload, envelope_id, type, accepts_response_payload}`; its envelope id. */
  send(type: 'slash_commands' | 'interactive' | 'events_api', payload: Record<string, unknown>): string {
    const client = this.#client;
    if (client === undefined) throw new Error('no Socket Mode client is connected');
    const envelopeId = randomUUID();
    writeText(client, { payload, envelope_id: envelopeId, type, accepts_response_payload: true });
    return envelopeId;
  }

  /** Resolves with the app's acknowledgement of the envelope. */
  ack(envelopeId: string): Promise<SocketModeAck> {
    const received = this.acks.find((ack) => ack.envelope_id === envelopeId);
    if (received !== undefined) return Promise.resolve(received);
    return new Promise((resolve) => this.#waiters.push({ envelopeId, resolve }));
  }

  /** Lets a client that is closing finish the close handshake (up to a second), then ends the rest. */
  async stop(): Promise<void> {
    const client = this.#client;
    if (client !== undefined && !client.destroyed) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        client.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #api(request: IncomingMessage): Promise<{ status: number; body: unknown }> {
    for await (const _chunk of request) {
      // The body (no arguments) is not needed; reading it lets the connection be reused.
    }
    if (request.url?.startsWith('/api/apps.connections.open') !== true) {
      return { status: 404, body: { ok: false, error: 'unknown_method' } };
    }
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
    this.connectionsOpened.push(token);
    if (token !== this.#appToken) return { status: 200, body: { ok: false, error: 'invalid_auth' } };
    const documented = fixture.connectionsOpen as { ok: boolean; url: string };
    const ticket = new URL(documented.url).search;
    const port = (this.#server.address() as AddressInfo).port;
    return { status: 200, body: { ...documented, url: `ws://127.0.0.1:${port}/link/${ticket}` } };
  }

  #upgrade(request: IncomingMessage, socket: Socket): void {
    const key = request.headers['sec-websocket-key'];
    if (typeof key !== 'string' || request.url?.startsWith('/link/') !== true) {
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    const accept = createHash('sha1').update(`${key}${WEBSOCKET_GUID}`).digest('base64');
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    this.#client = socket;
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (let frame = readFrame(buffered); frame !== undefined; frame = readFrame(buffered)) {
        buffered = buffered.subarray(frame.length);
        this.#frame(socket, frame.opcode, frame.payload);
      }
    });
    socket.on('close', () => {
      if (this.#client === socket) this.#client = undefined;
    });
    writeText(socket, fixture.hello);
  }

  #frame(socket: Socket, opcode: number, payload: Buffer): void {
    if (opcode === 0x1) {
      const ack = JSON.parse(payload.toString('utf8')) as SocketModeAck;
      this.acks.push(ack);
      for (const waiter of this.#waiters.filter((w) => w.envelopeId === ack.envelope_id)) {
        waiter.resolve(ack);
      }
      this.#waiters = this.#waiters.filter((w) => w.envelopeId !== ack.envelope_id);
    } else if (opcode === 0x8) {
      writeFrame(socket, 0x8, payload.subarray(0, 2));
      socket.end();
    } else if (opcode === 0x9) {
      writeFrame(socket, 0xa, payload);
    }
  }
}

export async function startSocketModeServer(appToken: string): Promise<SocketModeServer> {
  return new SocketModeServer(appToken).start();
}

function writeText(socket: Socket, message: unknown): void {
  writeFrame(socket, 0x1, Buffer.from(JSON.stringify(message), 'utf8'));
}

/** A final, unmasked frame (a server never masks). */
function writeFrame(socket: Socket, opcode: number, payload: Buffer): void {
  const length = payload.length;
  const header =
    length < 126
      ? Buffer.from([0x80 | opcode, length])
      : length < 65_536
        ? Buffer.from([0x80 | opcode, 126, length >> 8, length & 0xff])
        : Buffer.concat([Buffer.from([0x80 | opcode, 127]), bigLength(length)]);
  socket.write(Buffer.concat([header, payload]));
}

function bigLength(length: number): Buffer {
  const buffer = Buffer.alloc(8);
  buffer.writeBigUInt64BE(BigInt(length));
  return buffer;
}

/** One whole frame from the front of `data` (a client's frames are masked), or undefined. */
function readFrame(data: Buffer): { opcode: number; payload: Buffer; length: number } | undefined {
  if (data.length < 2) return undefined;
  const opcode = (data[0] as number) & 0x0f;
  const masked = ((data[1] as number) & 0x80) !== 0;
  let length = (data[1] as number) & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (data.length < 4) return undefined;
    length = data.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (data.length < 10) return undefined;
    length = Number(data.readBigUInt64BE(2));
    offset = 10;
  }
  const maskOffset = offset;
  if (masked) offset += 4;
  if (data.length < offset + length) return undefined;
  const payload = Buffer.from(data.subarray(offset, offset + length));
  if (masked) {
    for (let i = 0; i < payload.length; i += 1) {
      payload[i] = (payload[i] as number) ^ (data[maskOffset + (i % 4)] as number);
    }
  }
  return { opcode, payload, length: offset + length };
}
