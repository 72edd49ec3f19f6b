import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareTs, sendJson, sendText } from './http.ts';
import type { SlackState, StoredMessage } from './state.ts';

/**
 * What the page and scripts read: every message as JSON (`GET /api/sandbox/messages`), the views
 * (`GET /api/sandbox/views`), a change counter to poll cheaply, uploaded files, and the page's
 * static files (cli/sandbox/page: HTML, CSS and browser modules, no bundler).
 */
export const PAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'page');

/** Only the page's own files, by plain name: no path reaches outside PAGE_DIR. */
const PAGE_FILE = /^[a-z0-9-]+\.(html|css|js)$/;
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
};

/**
 * The page renders text from the bot, which carries attacker strings (pod names, commands): it only
 * ever sets textContent, and this policy would stop an inline script or handler if it did not.
 */
const PAGE_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
};

export async function servePageFile(response: ServerResponse, name: string): Promise<boolean> {
  const file = name === '' ? 'index.html' : name;
  if (!PAGE_FILE.test(file)) return false;
  let content: Buffer;
  try {
    content = await readFile(join(PAGE_DIR, file));
  } catch {
    return false;
  }
  const extension = file.split('.').pop() ?? 'html';
  response.writeHead(200, { 'Content-Type': CONTENT_TYPES[extension] ?? 'text/plain', ...PAGE_HEADERS });
  response.end(content);
  return true;
}

function filesJson(message: StoredMessage): Record<string, unknown>[] {
  return message.files.map((f) => ({
    id: f.id,
    name: f.name,
    title: f.title,
    type: f.mimetype,
    filetype: f.filetype,
    size: f.size,
    url: `/api/sandbox/files/${f.id}`,
  }));
}

/** Every message, ephemeral ones with whom they are for, oldest first. */
export function messagesJson(state: SlackState): Record<string, unknown> {
  const posted = [...state.messages.values()].map((m) => ({
    channel: m.channel,
    ts: m.ts,
    ...(m.threadTs === undefined ? {} : { thread_ts: m.threadTs }),
    user: m.user,
    text: m.text,
    blocks: m.blocks,
    updates: m.history.slice(1).map((v) => ({ text: v.text, blocks: v.blocks, edited_ts: v.editedTs })),
    files: filesJson(m),
    ...(m.metadata === undefined ? {} : { metadata: m.metadata }),
  }));
  const ephemeral = state.ephemerals.map((e) => ({
    channel: e.channel ?? '',
    ts: state.ephemeralTs(e),
    ...(e.threadTs === undefined ? {} : { thread_ts: e.threadTs }),
    user: state.botUserId,
    text: e.text,
    blocks: e.blocks,
    updates: [],
    files: [],
    ephemeral_to: e.user ?? '',
    via: e.via,
  }));
  const messages = [...posted, ...ephemeral].sort((a, b) => compareTs(a.ts, b.ts));
  return { ok: true, version: state.version, messages };
}

export function viewsJson(state: SlackState): Record<string, unknown> {
  return {
    ok: true,
    version: state.version,
    views: [...state.views.values()].map((v) => ({
      id: v.id,
      user: v.user,
      type: v.type,
      open: v.open,
      view: v.current,
      history: v.history,
      errors: v.errors,
      previous_view_id: v.previousViewId,
      root_view_id: v.rootViewId,
    })),
    stacks: Object.fromEntries(state.modalStacks),
    homes: Object.fromEntries(state.homes),
  };
}

/**
 * An uploaded file's bytes. Only images are shown inline; anything else downloads, and a sandbox
 * policy keeps even a file that claims to be HTML from running as the page.
 */
export function serveFile(state: SlackState, response: ServerResponse, id: string): void {
  const file = state.files.get(id);
  if (file === undefined) {
    sendText(response, 404, 'file_not_found');
    return;
  }
  const inline = /^image\/(png|jpeg|gif)$/.test(file.mimetype);
  response.writeHead(200, {
    'Content-Type': inline ? file.mimetype : 'application/octet-stream',
    'Content-Length': String(file.bytes.length),
    'Content-Disposition': `${inline ? 'inline' : 'attachment'}; filename="${file.name.replace(/[^\w.-]/g, '_')}"`,
    'Content-Security-Policy': "default-src 'none'; sandbox",
    'X-Content-Type-Options': 'nosniff',
  });
  response.end(file.bytes);
}

export function sendVersion(state: SlackState, response: ServerResponse): void {
  sendJson(response, 200, { ok: true, version: state.version });
}
