import { InvalidEventError } from '../errors.ts';
import { describeValue } from '../ingest/describe-value.ts';
import type { Severity } from '../model/severity.ts';
import type { ImageFinding, ScannedImage, VulnerablePackage } from './image-finding.ts';

/**
 * Amazon Inspector findings on ECR container images, from the two places they come from:
 *
 * - an EventBridge `Inspector2 Finding` event (`source: aws.inspector2`), whose `detail` is the
 *   finding with dates written as `Wed Sep 04 16:55:38.411 UTC 2024` or `Dec 3, 2021, 6:02:30 PM`
 *   (test/fixtures/inspector, from the AWS documentation) — `decodeInspectorEvent`;
 * - one element of Inspector2 `ListFindings` as @aws-sdk/client-inspector2 returns it (dates as
 *   `Date` objects; epoch seconds in the raw JSON) — `imageFindingFromApi`.
 *
 * Both go through one mapping (`mapFinding`). Only findings on an `AWS_ECR_CONTAINER_IMAGE` of type
 * PACKAGE_VULNERABILITY or CODE_VULNERABILITY are image findings; EC2, Lambda, code-repository and
 * network-reachability findings are ignored with the reason. A field kubeguard needs that is missing
 * or malformed is an InvalidEventError naming the field, the value received and the fix. Every
 * string is attacker-influenced (it comes from the image or its registry): it is clipped here and
 * escaped where it is rendered.
 */

export type InspectorEventResult =
  | { kind: 'finding'; finding: ImageFinding }
  | { kind: 'ignored'; reason: string };

const EVENT_SOURCE = 'aws.inspector2';
const DETAIL_TYPE = 'Inspector2 Finding';
const ECR_IMAGE = 'AWS_ECR_CONTAINER_IMAGE';
const IMAGE_FINDING_TYPES = new Set(['PACKAGE_VULNERABILITY', 'CODE_VULNERABILITY']);

/** Longest identifier kept (ARN, repository, package name, version); Slack views cut further. */
export const MAX_INSPECTOR_VALUE = 512;
export const MAX_INSPECTOR_TITLE = 300;
/** Vulnerable packages kept per finding; the rest are counted in `omittedPackages`. */
export const MAX_FINDING_PACKAGES = 50;
/** Image tags kept per finding (a repository can tag one digest many times). */
export const MAX_IMAGE_TAGS = 20;

/** A manifest digest: what a pod's `imageID` names and what Inspector's `imageHash` is. */
export const IMAGE_DIGEST = /^sha256:[0-9a-f]{64}$/;

const SEVERITY_OF: Record<string, Severity> = {
  CRITICAL: 'critical',
  HIGH: 'high',
  MEDIUM: 'medium',
  LOW: 'low',
  INFORMATIONAL: 'low',
  UNTRIAGED: 'low',
};

type Json = Record<string, unknown>;
type Origin = 'event' | 'api';

/** Decodes an EventBridge `Inspector2 Finding` event. */
export function decodeInspectorEvent(event: unknown): InspectorEventResult {
  const envelope = requireObject(event, 'event', 'event');
  if (envelope.source !== EVENT_SOURCE)
    throw invalid('event', 'event.source', `"${EVENT_SOURCE}"`, envelope.source);
  const detailType = requireString(envelope['detail-type'], 'event.detail-type', 'event');
  if (detailType !== DETAIL_TYPE) {
    return {
      kind: 'ignored',
      reason: `Inspector event of type "${clip(detailType, 100)}" is not a finding ("${DETAIL_TYPE}"); kubeguard reads findings only`,
    };
  }
  const detail = requireObject(envelope.detail, 'detail', 'event');
  return mapFinding(detail, 'detail', 'event', {
    account: text(envelope.account),
    region: text(envelope.region),
  });
}

/**
 * One finding of Inspector2 `ListFindings` (the SDK's `Finding`), which the adapter asks for
 * filtered to ECR images; anything else is refused, since the adapter's filter should have kept it out.
 */
export function imageFindingFromApi(finding: Record<string, unknown>): ImageFinding {
  const result = mapFinding(requireObject(finding, 'finding', 'api'), 'finding', 'api', {});
  if (result.kind === 'ignored') {
    throw new InvalidEventError(
      `Inspector2 ListFindings returned a finding that is not about an ECR container image: ${result.reason} — filter ListFindings on resourceType AWS_ECR_CONTAINER_IMAGE`,
      { details: { field: 'finding.resources[0].type' } },
    );
  }
  return result.finding;
}

/** The mapping both decoders share; `at` is the finding's path in the input, for error messages. */
function mapFinding(
  detail: Json,
  at: string,
  origin: Origin,
  envelope: { account?: string | undefined; region?: string | undefined },
): InspectorEventResult {
  const findingArn = requireString(detail.findingArn, `${at}.findingArn`, origin);
  const type = requireString(detail.type, `${at}.type`, origin);
  const resources = detail.resources;
  if (!Array.isArray(resources) || resources.length === 0) {
    throw invalid(origin, `${at}.resources`, 'a non-empty array of resources', resources);
  }
  const resource = requireObject(resources[0], `${at}.resources[0]`, origin);
  const resourceType = requireString(resource.type, `${at}.resources[0].type`, origin);
  const id = clip(findingArn, 200);
  if (resourceType !== ECR_IMAGE) {
    return {
      kind: 'ignored',
      reason: `Inspector finding ${id} is about a resource of type "${clip(resourceType, 60)}", not an ECR container image (${ECR_IMAGE}); kubeguard matches image findings to pods only`,
    };
  }
  if (!IMAGE_FINDING_TYPES.has(type)) {
    return {
      kind: 'ignored',
      reason: `Inspector finding ${id} is of type "${clip(type, 60)}", not a package or code vulnerability; kubeguard matches vulnerabilities only`,
    };
  }
  const details = requireObject(resource.details, `${at}.resources[0].details`, origin);
  const image = scannedImage(
    requireObject(details.awsEcrContainerImage, `${at}.resources[0].details.awsEcrContainerImage`, origin),
    `${at}.resources[0].details.awsEcrContainerImage`,
    origin,
  );
  const account = text(detail.awsAccountId) ?? envelope.account;
  if (account === undefined || !/^\d{12}$/.test(account)) {
    throw invalid(origin, `${at}.awsAccountId`, 'a 12-digit AWS account id', detail.awsAccountId);
  }
  const region = envelope.region ?? regionOf(resource, findingArn);
  if (region === undefined) {
    throw invalid(origin, `${at}.findingArn`, 'an Inspector finding ARN naming its region', findingArn);
  }
  const inspectorSeverity = requireString(detail.severity, `${at}.severity`, origin);
  const severity = SEVERITY_OF[inspectorSeverity];
  if (severity === undefined) {
    throw invalid(origin, `${at}.severity`, `one of ${Object.keys(SEVERITY_OF).join(', ')}`, detail.severity);
  }
  const status = requireString(detail.status, `${at}.status`, origin);
  if (status !== 'ACTIVE' && status !== 'SUPPRESSED' && status !== 'CLOSED') {
    throw invalid(origin, `${at}.status`, 'one of ACTIVE, SUPPRESSED, CLOSED', detail.status);
  }
  const vulnerability = asObject(detail.packageVulnerabilityDetails);
  const title = clip(text(detail.title) ?? text(vulnerability?.vulnerabilityId) ?? type, MAX_INSPECTOR_TITLE);
  const firstObservedAt = requireDate(detail.firstObservedAt, `${at}.firstObservedAt`, origin);
  const lastObservedAt = requireDate(detail.lastObservedAt, `${at}.lastObservedAt`, origin);
  const updatedAt =
    detail.updatedAt === undefined
      ? lastObservedAt
      : requireDate(detail.updatedAt, `${at}.updatedAt`, origin);
  const { packages, omitted } = packagesOf(type, detail);
  const finding: ImageFinding = {
    findingArn: clip(findingArn, MAX_INSPECTOR_VALUE),
    account,
    region,
    type: type as ImageFinding['type'],
    vulnerabilityId: clip(text(vulnerability?.vulnerabilityId) ?? title, MAX_INSPECTOR_VALUE),
    title,
    severity,
    inspectorSeverity,
    status,
    image,
    packages,
    firstObservedAt,
    lastObservedAt,
    updatedAt,
  };
  if (typeof detail.inspectorScore === 'number' && Number.isFinite(detail.inspectorScore)) {
    finding.inspectorScore = detail.inspectorScore;
  }
  const fix = detail.fixAvailable;
  if (fix === 'YES' || fix === 'NO' || fix === 'PARTIAL') finding.fixAvailable = fix;
  const exploit = detail.exploitAvailable;
  if (exploit === 'YES' || exploit === 'NO') finding.exploitAvailable = exploit;
  if (omitted > 0) finding.omittedPackages = omitted;
  return { kind: 'finding', finding };
}

function scannedImage(raw: Json, at: string, origin: Origin): ScannedImage {
  const digest = requireString(raw.imageHash, `${at}.imageHash`, origin);
  if (!IMAGE_DIGEST.test(digest)) {
    throw invalid(
      origin,
      `${at}.imageHash`,
      'an image manifest digest (sha256: and 64 lowercase hex digits)',
      digest,
    );
  }
  const registry = requireString(raw.registry, `${at}.registry`, origin);
  const repositoryName = requireString(raw.repositoryName, `${at}.repositoryName`, origin);
  const tags = Array.isArray(raw.imageTags)
    ? raw.imageTags
        .map(text)
        .filter((tag): tag is string => tag !== undefined)
        .slice(0, MAX_IMAGE_TAGS)
        .map((tag) => clip(tag, 128))
    : [];
  const image: ScannedImage = {
    registry: clip(registry, MAX_INSPECTOR_VALUE),
    repositoryName: clip(repositoryName, MAX_INSPECTOR_VALUE),
    digest,
    tags,
  };
  if (raw.pushedAt !== undefined) image.pushedAt = requireDate(raw.pushedAt, `${at}.pushedAt`, origin);
  if (typeof raw.inUseCount === 'number' && Number.isInteger(raw.inUseCount) && raw.inUseCount >= 0) {
    image.inUseCount = raw.inUseCount;
  }
  if (raw.lastInUseAt !== undefined && raw.lastInUseAt !== null) {
    image.lastInUseAt = requireDate(raw.lastInUseAt, `${at}.lastInUseAt`, origin);
  }
  return image;
}

/**
 * The vulnerable packages with their installed version as the package manager writes it
 * (`[epoch:]version[-release]`, e.g. `3.0.13-0ubuntu3.2`) and the fixed version when Inspector knows
 * one (it writes `NotAvailable` when there is none). A code vulnerability names its file instead.
 */
function packagesOf(type: string, detail: Json): { packages: VulnerablePackage[]; omitted: number } {
  if (type === 'CODE_VULNERABILITY') {
    const file = asObject(asObject(detail.codeVulnerabilityDetails)?.filePath);
    const filePath = text(file?.filePath);
    const name = text(file?.fileName) ?? filePath;
    if (name === undefined) return { packages: [], omitted: 0 };
    const found: VulnerablePackage = { name: clip(name, MAX_INSPECTOR_VALUE) };
    if (filePath !== undefined) found.filePath = clip(filePath, MAX_INSPECTOR_VALUE);
    return { packages: [found], omitted: 0 };
  }
  const raw = asObject(detail.packageVulnerabilityDetails)?.vulnerablePackages;
  const list = Array.isArray(raw) ? raw.map(asObject).filter((p): p is Json => p !== undefined) : [];
  const packages: VulnerablePackage[] = [];
  for (const item of list.slice(0, MAX_FINDING_PACKAGES)) {
    const name = text(item.name);
    if (name === undefined) continue;
    const found: VulnerablePackage = { name: clip(name, MAX_INSPECTOR_VALUE) };
    const version = installedVersion(item);
    if (version !== undefined) found.version = clip(version, MAX_INSPECTOR_VALUE);
    const fixed = text(item.fixedInVersion);
    if (fixed !== undefined && fixed !== 'NotAvailable')
      found.fixedInVersion = clip(fixed, MAX_INSPECTOR_VALUE);
    const manager = text(item.packageManager);
    if (manager !== undefined) found.packageManager = clip(manager, 40);
    const filePath = text(item.filePath);
    if (filePath !== undefined) found.filePath = clip(filePath, MAX_INSPECTOR_VALUE);
    packages.push(found);
  }
  return { packages, omitted: Math.max(0, list.length - MAX_FINDING_PACKAGES) };
}

function installedVersion(item: Json): string | undefined {
  const version = text(item.version);
  if (version === undefined) return undefined;
  const release = text(item.release);
  const epoch = typeof item.epoch === 'number' && item.epoch > 0 ? `${item.epoch}:` : '';
  return `${epoch}${version}${release === undefined ? '' : `-${release}`}`;
}

const FINDING_ARN_REGION = /^arn:aws[a-z-]*:inspector2:([a-z]{2}(?:-[a-z]+)+-\d):/;
const AWS_REGION = /^[a-z]{2}(?:-[a-z]+)+-\d$/;

/** The API's finding has no top-level region: the resource's (`N/A` in some events), else the ARN's. */
function regionOf(resource: Json, findingArn: string): string | undefined {
  const region = text(resource.region);
  if (region !== undefined && AWS_REGION.test(region)) return region;
  return FINDING_ARN_REGION.exec(findingArn)?.[1];
}

// ---- dates ----

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** `Wed Sep 04 16:55:38.411 UTC 2024` (Inspector events since 2024). */
const JAVA_DATE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))? UTC (\d{4})$/;
/** `Dec 3, 2021, 6:02:30 PM` (Inspector and ECR documentation events; UTC). */
const US_DATE = /^([A-Z][a-z]{2}) (\d{1,2}), (\d{4}),? (\d{1,2}):(\d{2}):(\d{2}) (AM|PM)$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;
/** Epoch seconds between 2000 and 2100: the raw API's dates. */
const MIN_EPOCH = 946_684_800;
const MAX_EPOCH = 4_102_444_800;

/**
 * An Inspector date as ISO-8601 (UTC, milliseconds): a `Date` (the SDK), epoch seconds (the raw
 * API), ISO-8601, or either of the event formats above; undefined when it is none of them.
 */
export function inspectorDate(value: unknown): string | undefined {
  if (value instanceof Date) return isValidMillis(value.getTime()) ? value.toISOString() : undefined;
  if (typeof value === 'number') {
    return Number.isFinite(value) && value >= MIN_EPOCH && value < MAX_EPOCH
      ? new Date(Math.round(value * 1000)).toISOString()
      : undefined;
  }
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (ISO_DATE.test(trimmed)) {
    const millis = Date.parse(trimmed);
    return isValidMillis(millis) ? new Date(millis).toISOString() : undefined;
  }
  const java = JAVA_DATE.exec(trimmed);
  if (java !== null) {
    const [, month, day, hour, minute, second, fraction, year] = java;
    const millis = Number((fraction ?? '0').padEnd(3, '0'));
    return utc(year, month, day, Number(hour), minute, second, millis);
  }
  const us = US_DATE.exec(trimmed);
  if (us !== null) {
    const [, month, day, year, hour12, minute, second, meridiem] = us;
    const hour = Number(hour12);
    if (hour < 1 || hour > 12) return undefined;
    return utc(year, month, day, (hour % 12) + (meridiem === 'PM' ? 12 : 0), minute, second, 0);
  }
  return undefined;
}

function utc(
  year: string | undefined,
  monthName: string | undefined,
  day: string | undefined,
  hour: number,
  minute: string | undefined,
  second: string | undefined,
  millis: number,
): string | undefined {
  const month = MONTHS.indexOf(monthName ?? '');
  const [y, d, m, s] = [Number(year), Number(day), Number(minute), Number(second)];
  if (month < 0 || hour > 23 || m > 59 || s > 59) return undefined;
  const date = new Date(Date.UTC(y, month, d, hour, m, s, millis));
  // Date.UTC rolls Feb 30 over into March: a date that does not round-trip does not exist.
  if (date.getUTCMonth() !== month || date.getUTCDate() !== d) return undefined;
  return date.toISOString();
}

function isValidMillis(millis: number): boolean {
  return Number.isFinite(millis) && millis >= MIN_EPOCH * 1000 && millis < MAX_EPOCH * 1000;
}

function requireDate(value: unknown, field: string, origin: Origin): string {
  const iso = inspectorDate(value);
  if (iso === undefined) {
    throw invalid(
      origin,
      field,
      'a date (ISO-8601, epoch seconds, "Wed Sep 04 16:55:38.411 UTC 2024" or "Dec 3, 2021, 6:02:30 PM")',
      value,
      value instanceof Date ? 'an invalid Date' : undefined,
    );
  }
  return iso;
}

// ---- reading untyped JSON ----

const FIX: Record<Origin, string> = {
  event: `deliver EventBridge "${DETAIL_TYPE}" events from source ${EVENT_SOURCE} unchanged`,
  api: 'pass Inspector2 ListFindings findings as @aws-sdk/client-inspector2 returns them',
};

function invalid(
  origin: Origin,
  field: string,
  expected: string,
  value: unknown,
  received = describeValue(value),
): InvalidEventError {
  const what = origin === 'event' ? 'Inspector event' : 'Inspector finding';
  return new InvalidEventError(
    `${what} field "${field}" must be ${expected}; received ${received} — ${FIX[origin]}`,
    { details: { field, received } },
  );
}

function requireObject(value: unknown, field: string, origin: Origin): Json {
  const object = asObject(value);
  if (object === undefined) throw invalid(origin, field, 'an object', value);
  return object;
}

function requireString(value: unknown, field: string, origin: Origin): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw invalid(origin, field, 'a non-empty string', value);
  return value.trim();
}

function asObject(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date)
    ? (value as Json)
    : undefined;
}

function text(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : clip(trimmed, MAX_INSPECTOR_VALUE);
}

function clip(value: string, max: number): string {
  if (value.length <= max) return value;
  return `${value.slice(0, max - 1).replace(/[\uD800-\uDBFF]$/, '')}…`;
}
