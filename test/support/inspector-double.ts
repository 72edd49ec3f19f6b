import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Amazon Inspector on loopback, answering `ListFindings` (restJson1: `POST /findings/list`) as the
 * service does: the findings in their wire shape (timestamps as epoch seconds, as the SDK's
 * deserializer expects), filtered by the `filterCriteria` kubeguard sends (resourceType,
 * findingStatus, ecrImageHash, severity, awsAccountId: EQUALS only), paged by `maxResults` and an
 * opaque `nextToken`. Errors come as restJson errors (`x-amzn-errortype` and `{"message"}`).
 * Point the SDK at it with AWS_ENDPOINT_URL_INSPECTOR2 or the client's `endpoint`.
 */

export interface ListFindingsCall {
  body: {
    filterCriteria?: Record<string, { comparison: string; value: string }[]>;
    maxResults?: number;
    nextToken?: string;
  };
  headers: IncomingHttpHeaders;
}

export interface InspectorDouble {
  endpoint: string;
  calls: ListFindingsCall[];
  /** The findings it holds, in wire shape; tests add, change or remove them. */
  findings: Record<string, unknown>[];
  /** Answers the next calls with this error (e.g. 403 AccessDeniedException); undefined stops. */
  failWith(error: { status: number; type: string; message: string } | undefined): void;
  close(): Promise<void>;
}

/** The fields each `filterCriteria` key compares, in a wire-shape finding. */
const FILTERED: Record<string, (finding: Record<string, unknown>) => string | undefined> = {
  resourceType: (finding) => resourceOf(finding)?.type as string | undefined,
  findingStatus: (finding) => finding.status as string | undefined,
  severity: (finding) => finding.severity as string | undefined,
  awsAccountId: (finding) => finding.awsAccountId as string | undefined,
  ecrImageHash: (finding) =>
    (
      (resourceOf(finding)?.details as Record<string, unknown> | undefined)?.awsEcrContainerImage as
        | Record<string, unknown>
        | undefined
    )?.imageHash as string | undefined,
};

function resourceOf(finding: Record<string, unknown>): Record<string, unknown> | undefined {
  return (finding.resources as Record<string, unknown>[] | undefined)?.[0];
}

function matches(finding: Record<string, unknown>, criteria: ListFindingsCall['body']['filterCriteria']) {
  for (const [key, filters] of Object.entries(criteria ?? {})) {
    const read = FILTERED[key];
    if (read === undefined) throw new Error(`the Inspector double does not filter on ${key}`);
    const value = read(finding);
    // Several filters of one key are ORed, keys are ANDed (ListFindings' documented semantics).
    if (!filters.some((filter) => filter.comparison === 'EQUALS' && filter.value === value)) return false;
  }
  return true;
}

export async function startInspectorDouble(
  initial: Record<string, unknown>[] = [],
): Promise<InspectorDouble> {
  const calls: ListFindingsCall[] = [];
  const findings = [...initial];
  let failure: { status: number; type: string; message: string } | undefined;
  const server: Server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    request.on('end', () => {
      const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        response.writeHead(status, { 'content-type': 'application/json', ...headers });
        response.end(JSON.stringify(body));
      };
      if (request.method !== 'POST' || request.url !== '/findings/list') {
        reply(
          404,
          { message: `no route ${request.method} ${request.url}` },
          {
            'x-amzn-errortype': 'ResourceNotFoundException',
          },
        );
        return;
      }
      const body = JSON.parse(text || '{}') as ListFindingsCall['body'];
      calls.push({ body, headers: request.headers });
      if (failure !== undefined) {
        reply(failure.status, { message: failure.message }, { 'x-amzn-errortype': failure.type });
        return;
      }
      const selected = findings.filter((finding) => matches(finding, body.filterCriteria));
      const start = body.nextToken === undefined ? 0 : Number(body.nextToken.replace(/^page-/, ''));
      const size = body.maxResults ?? 50;
      const page = selected.slice(start, start + size);
      const next = start + size < selected.length ? `page-${start + size}` : undefined;
      reply(200, { findings: page, ...(next === undefined ? {} : { nextToken: next }) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    findings,
    failWith(error) {
      failure = error;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const FIXTURES = new URL('../fixtures/inspector/', import.meta.url);

/** A fixture event of test/fixtures/inspector (the EventBridge envelope, parsed). */
export function inspectorEvent(
  name: 'inspector2-finding-ecr-package-vulnerability' | 'inspector2-finding-ecr-enhanced-scanning',
): Record<string, unknown> & { detail: Record<string, unknown> } {
  return JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), 'utf8'));
}

/** An EventBridge date of the fixtures (`Wed Sep 04 16:55:38.411 UTC 2024`, `Dec 3, 2021, 6:02:30 PM`) → epoch seconds. */
function epochSeconds(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.replace(/^\w{3} (\w{3} \d{2}) ([\d:.]+) UTC (\d{4})$/, '$1 $3 $2 UTC');
  const ms = Date.parse(/UTC|Z$/.test(text) ? text : `${text} UTC`);
  return Number.isNaN(ms) ? undefined : ms / 1000;
}

const DATE_FIELDS = ['firstObservedAt', 'lastObservedAt', 'updatedAt'] as const;

/**
 * The ListFindings wire shape of the finding an EventBridge fixture carries: the same fields, dates
 * as epoch seconds (the API's), `details.image` left out (the event adds it; the API has
 * `awsEcrContainerImage` only). `changes` overrides top-level fields; `image` the image's.
 */
export function wireFindingFrom(
  detail: Record<string, unknown>,
  changes: { image?: Record<string, unknown>; [field: string]: unknown } = {},
): Record<string, unknown> {
  const { image, ...top } = changes;
  const copy = structuredClone(detail);
  for (const field of DATE_FIELDS) copy[field] = epochSeconds(copy[field]);
  const vulnerability = copy.packageVulnerabilityDetails as Record<string, unknown> | undefined;
  if (vulnerability !== undefined) {
    const created = epochSeconds(vulnerability.vendorCreatedAt);
    if (created === undefined) delete vulnerability.vendorCreatedAt;
    else vulnerability.vendorCreatedAt = created;
  }
  const resources = copy.resources as Record<string, unknown>[];
  for (const resource of resources) {
    const details = resource.details as Record<string, unknown>;
    delete details.image;
    const ecr = details.awsEcrContainerImage as Record<string, unknown>;
    const pushed = epochSeconds(ecr.pushedAt);
    if (pushed === undefined) delete ecr.pushedAt;
    else ecr.pushedAt = pushed;
    Object.assign(ecr, image ?? {});
  }
  return { ...copy, ...top };
}
