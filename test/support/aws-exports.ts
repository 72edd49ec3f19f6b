import { createRequire } from 'node:module';
import { loadFixture } from './fixtures.ts';

/**
 * The shapes AWS tools export, derived from the real fixtures (provenance: test/fixtures/aws/README.md,
 * "Exports derived for kubeguard detect"): the fixtures' audit events as `aws logs filter-log-events`
 * and `get-log-events` print them (FilterLogEventsResponse / GetLogEventsResponse, pretty-printed with
 * 4 spaces as the AWS CLI's `--output json`), as a CloudWatch Logs export to S3 writes them
 * (`<ISO-8601 timestamp> <message>` lines), and the GuardDuty fixtures' findings as
 * `aws guardduty get-findings` prints them (the model's PascalCase member names, from the SDK schema).
 */

export const AUDIT_FIXTURES = [
  'eks-audit-exec-pod-create.json',
  'eks-audit-privileged-pod-create.json',
  'eks-audit-clusterrolebinding-cluster-admin.json',
  'eks-audit-secrets-list.json',
  'eks-audit-anonymous-denied.json',
];

export const GUARDDUTY_FIXTURES = [
  'guardduty-eks-exec-in-kube-system-pod.json',
  'guardduty-eks-privileged-container.json',
  'guardduty-eks-anonymous-access-granted.json',
];

const STREAM = 'kube-apiserver-audit-5f1e2d3c4b5a69788796a5b4c3d2e1f0';
const BASE_MS = Date.UTC(2024, 10, 14, 12, 0, 0);

export function auditEvents(): Record<string, unknown>[] {
  return AUDIT_FIXTURES.map((name) => loadFixture(name));
}

/** `aws logs filter-log-events --log-group-name /aws/eks/CLUSTER/cluster … --output json`. */
export function filterLogEventsOutput(events = auditEvents(), stream = STREAM): string {
  const output = {
    events: events.map((event, i) => ({
      logStreamName: stream,
      timestamp: BASE_MS + i,
      message: JSON.stringify(event),
      ingestionTime: BASE_MS + i + 500,
      eventId: `3826354651234123456789012345678901234567890123456789${String(i).padStart(4, '0')}`,
    })),
    searchedLogStreams: [],
  };
  return `${JSON.stringify(output, null, 4)}\n`;
}

/** `aws logs get-log-events --log-group-name … --log-stream-name kube-apiserver-audit-… --output json`. */
export function getLogEventsOutput(events = auditEvents()): string {
  const output = {
    events: events.map((event, i) => ({
      timestamp: BASE_MS + i,
      message: JSON.stringify(event),
      ingestionTime: BASE_MS + i + 500,
    })),
    nextForwardToken: 'f/38263546512341234567890123456789012345678901234567890004/s',
    nextBackwardToken: 'b/38263546512341234567890123456789012345678901234567890000/s',
  };
  return `${JSON.stringify(output, null, 4)}\n`;
}

/** The content of an object `aws logs create-export-task` writes to S3 (before gzip). */
export function s3ExportText(events = auditEvents()): string {
  return events
    .map((event, i) => `${new Date(BASE_MS + i).toISOString()} ${JSON.stringify(event)}\n`)
    .join('');
}

type Schema = unknown;
type Json = Record<string, unknown>;

const require = createRequire(import.meta.url);

/** GuardDuty's Finding structure from @aws-sdk/client-guardduty's schema. */
function findingSchema(): Schema {
  const gd = require('@aws-sdk/client-guardduty') as Record<string, unknown>;
  const response = gd.GetFindingsResponse$ as unknown[];
  const findings = deref((response[5] as unknown[][])[0]?.[0]) as unknown[];
  return deref((findings[4] as unknown[])[0]);
}

function deref(schema: unknown): unknown {
  return typeof schema === 'function' ? (schema as () => unknown)() : schema;
}

function memberType(def: unknown): { type: unknown; jsonName?: string } {
  if (!Array.isArray(def)) return { type: def };
  const traits = (def[1] ?? {}) as { jsonName?: string };
  return { type: def[0], ...(traits.jsonName === undefined ? {} : { jsonName: traits.jsonName }) };
}

function elementOf(list: unknown[], at: number): unknown {
  const member = list[at];
  return Array.isArray(member) && typeof member[0] !== 'number' ? member[0] : member;
}

/** Every (path → jsonName) of the Finding schema whose JSON name is not the lower-cased member name. */
export function sdkPascalExceptions(): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (schema: unknown, path: string, depth: number) => {
    const s = deref(schema);
    if (!Array.isArray(s) || depth > 12) return;
    if (s[0] === 3) {
      const names = s[4] as string[];
      (s[5] as unknown[]).forEach((def, i) => {
        const name = names[i] as string;
        const { type, jsonName } = memberType(def);
        const memberPath = path === '' ? name : `${path}.${name}`;
        // Without a jsonName trait the member name itself is the JSON name.
        const json = jsonName ?? name;
        if (json !== name.charAt(0).toLowerCase() + name.slice(1)) out[memberPath] = json;
        walk(type, memberPath, depth + 1);
      });
    } else if (s[0] === 1) walk(elementOf(s, 4), `${path}[]`, depth + 1);
  };
  walk(findingSchema(), '', 0);
  return out;
}

/** A camelCase finding (EventBridge `detail`) with the SDK's member names, as the AWS CLI prints it. */
export function pascalCaseFinding(detail: Json): Json {
  const convert = (value: unknown, schema: unknown): unknown => {
    const s = deref(schema);
    if (Array.isArray(value)) {
      const item = Array.isArray(s) && s[0] === 1 ? elementOf(s, 4) : undefined;
      return value.map((v) => convert(v, item));
    }
    if (typeof value !== 'object' || value === null) return value;
    if (!Array.isArray(s) || s[0] !== 3) {
      if (Array.isArray(s) && s[0] === 2) return value; // a map: free-form keys
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [
          k.charAt(0).toUpperCase() + k.slice(1),
          convert(v, undefined),
        ]),
      );
    }
    const names = s[4] as string[];
    const byJson = new Map<string, { name: string; type: unknown }>();
    (s[5] as unknown[]).forEach((def, i) => {
      const name = names[i] as string;
      const { type, jsonName } = memberType(def);
      byJson.set(jsonName ?? name, { name, type });
    });
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => {
        const member = byJson.get(k);
        return member === undefined
          ? [k.charAt(0).toUpperCase() + k.slice(1), convert(v, undefined)]
          : [member.name, convert(v, member.type)];
      }),
    );
  };
  return convert(detail, findingSchema()) as Json;
}

/** `aws guardduty get-findings --detector-id … --finding-ids … --output json` of the fixtures' findings. */
export function getFindingsOutput(names = GUARDDUTY_FIXTURES): string {
  const findings = names.map((name) => pascalCaseFinding(loadFixture<{ detail: Json }>(name).detail));
  return `${JSON.stringify({ Findings: findings }, null, 4)}\n`;
}
