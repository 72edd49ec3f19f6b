import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DigestRunReport } from '#core/digest/send.ts';
import type { IngestReport } from './ingest.ts';
import { findScenario, SCENARIOS, scenarioEvent } from './scenarios.ts';
import { BodyTooLargeError, readBody, sendJson } from './slack/http.ts';
import type { SandboxChannel, SandboxUser } from './slack/index.ts';

/**
 * The sandbox's own HTTP API, beside the Slack one (docs/sandbox.md "Automation"):
 *   GET  /api/sandbox                  the facts a script needs (cluster, channels, users, team)
 *   GET  /api/sandbox/scenarios        the built-in scenarios
 *   POST /api/sandbox/scenarios/<id>   plays one (a new event each time)
 *   POST /api/sandbox/ingest           anything `kubeguard detect` reads, through the ingest handlers
 *   POST /api/sandbox/digests/send     every subscription's digest for its current period, now (digests.ts)
 * Bodies that change something must be sent as JSON (application/json, or application/x-ndjson for
 * JSON Lines): another site's form cannot send those without the browser asking first, so a page
 * visited in the same browser cannot feed findings to the sandbox.
 */
export interface SandboxFacts {
  ok: true;
  /** The cluster's API server: `kubectl --server <kubeServer>`. */
  kubeServer: string;
  clusters: string[];
  channels: SandboxChannel[];
  users: SandboxUser[];
  teamId: string;
  /** Where the page posts: `POST <url>api/sandbox/act` signs for you. */
  url: string;
}

export interface SandboxApi {
  facts(): SandboxFacts;
  ingest(text: string): Promise<IngestReport>;
  sendDigests(): Promise<DigestRunReport>;
}

/** Audit logs, findings and their batches: larger than Slack's requests, still bounded. */
const MAX_INGEST_BYTES = 64 * 1024 * 1024;
const JSON_TYPES = ['application/json', 'application/x-ndjson', 'application/jsonl'];

export function sandboxRoutes(api: SandboxApi) {
  return async (request: IncomingMessage, response: ServerResponse, path: string): Promise<boolean> => {
    if (request.method === 'GET' && path === '/api/sandbox') {
      sendJson(response, 200, api.facts());
      return true;
    }
    if (request.method === 'GET' && path === '/api/sandbox/scenarios') {
      sendJson(response, 200, {
        ok: true,
        scenarios: SCENARIOS.map(({ id, title, description }) => ({ id, title, description })),
      });
      return true;
    }
    if (request.method !== 'POST') return false;
    if (path.startsWith('/api/sandbox/scenarios/')) {
      const id = decodeURIComponent(path.slice('/api/sandbox/scenarios/'.length));
      const scenario = findScenario(id);
      if (scenario === undefined) {
        sendJson(response, 404, {
          ok: false,
          error: `no scenario ${JSON.stringify(id)}; scenarios: ${SCENARIOS.map((s) => s.id).join(', ')}`,
        });
        return true;
      }
      if (!isJson(request)) return refuseType(response);
      sendJson(response, 200, { ok: true, scenario: id, ...(await api.ingest(scenarioEvent(scenario))) });
      return true;
    }
    if (path === '/api/sandbox/digests/send') {
      if (!isJson(request)) return refuseType(response);
      sendJson(response, 200, { ok: true, ...(await api.sendDigests()) });
      return true;
    }
    if (path === '/api/sandbox/ingest') {
      if (!isJson(request)) return refuseType(response);
      let body: Buffer;
      try {
        body = await readBody(request, MAX_INGEST_BYTES);
      } catch (error) {
        if (!(error instanceof BodyTooLargeError)) throw error;
        sendJson(response, 413, {
          ok: false,
          error: `send at most ${MAX_INGEST_BYTES / 1024 / 1024} MB per request; split the file`,
        });
        return true;
      }
      sendJson(response, 200, { ok: true, ...(await api.ingest(body.toString('utf8'))) });
      return true;
    }
    return false;
  };
}

function isJson(request: IncomingMessage): boolean {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return JSON_TYPES.includes(type);
}

function refuseType(response: ServerResponse): true {
  sendJson(response, 415, {
    ok: false,
    error: `send the body as ${JSON_TYPES.join(' or ')} (curl -H 'Content-Type: application/json' --data-binary @FILE)`,
  });
  return true;
}
