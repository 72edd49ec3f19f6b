import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The HTTP plumbing the sandbox's Slack server shares: reading a bounded body, parsing a Web API
 * body in the encodings @slack/web-api and Bolt send (form-urlencoded with nested values as JSON
 * strings, or JSON), and writing answers.
 */

/** Slack's own requests are small; an upload may be larger. Anything above is refused whole. */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;

export class BodyTooLargeError extends Error {
  constructor() {
    super(`request body larger than ${MAX_BODY_BYTES} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

export async function readBody(request: IncomingMessage, max = MAX_BODY_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > max) throw new BodyTooLargeError();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Fields Slack takes as JSON strings inside a form body. */
const JSON_FIELDS = ['blocks', 'attachments', 'metadata', 'view', 'files'];

/**
 * A Web API body as an object: JSON, or form-urlencoded with the JSON-string fields parsed. A field
 * that is not valid JSON is kept as the string it was, so the method can answer `invalid_arguments`.
 */
export function parseApiBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (raw === '') return {};
  const body: Record<string, unknown> = contentType?.startsWith('application/json')
    ? (JSON.parse(raw) as Record<string, unknown>)
    : Object.fromEntries(new URLSearchParams(raw));
  for (const key of JSON_FIELDS) {
    const value = body[key];
    if (typeof value !== 'string' || value === '') continue;
    try {
      body[key] = JSON.parse(value);
    } catch {
      // left as a string: the method reports it
    }
  }
  return body;
}

export function sendJson(
  response: ServerResponse,
  status: number,
  payload: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
  response.end(JSON.stringify(payload));
}

export function sendText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  response.end(text);
}

export function stringField(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Orders Slack timestamps (`seconds.micros`) numerically. */
export function compareTs(a: string, b: string): number {
  return Number(a) - Number(b);
}
