/**
 * The page's calls to the sandbox: its facts, every message and view as JSON, a change counter to
 * poll, and `act` — the signing proxy that turns what a person did into a signed Slack request.
 */

async function json(response) {
  const body = await response.json().catch(() => ({ ok: false, error: `HTTP ${response.status}` }));
  return body;
}

export async function facts() {
  return json(await fetch('/api/sandbox/slack'));
}

export async function version() {
  return (await json(await fetch('/api/sandbox/version'))).version;
}

export async function messages() {
  return (await json(await fetch('/api/sandbox/messages'))).messages ?? [];
}

export async function views() {
  return json(await fetch('/api/sandbox/views'));
}

/** What a person did; the answer says whether the bot took it (`ok`, `botStatus`, `ack`, `error`). */
export async function act(action) {
  const response = await fetch('/api/sandbox/act', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(action),
  });
  return json(response);
}
