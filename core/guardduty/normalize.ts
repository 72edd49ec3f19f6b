import { InvalidEventError } from '../errors.ts';
import type { Actor } from '../model/actor.ts';
import type { Detection, ProcessInfo } from '../model/detection.ts';
import { markValues } from '../model/sentence.ts';
import { severityFromGuardDutyScore } from '../model/severity.ts';
import { findGuardDutyFindingType } from './finding-types.ts';

/**
 * Turns a GuardDuty finding delivered by EventBridge (`source: aws.guardduty`, `detail-type:
 * GuardDuty Finding`, `detail` = the GetFindings object in camelCase) into a Detection.
 *
 * Only the envelope and the fields a Detection cannot exist without are required (id, type,
 * severity, resource type); everything else is optional, because real and sample findings leave
 * fields null, `{}` or empty. Every string taken from the finding may be attacker-influenced and is
 * only clipped here; escaping happens at render time.
 */
export type GuardDutyResult =
  | { kind: 'detection'; detection: Detection }
  | { kind: 'ignored'; reason: string };

const EVENT_SOURCE = 'aws.guardduty';
const DETAIL_TYPE = 'GuardDuty Finding';
/** GuardDuty findings about Kubernetes resources of an EKS cluster (audit-log and Runtime Monitoring). */
const EKS_RESOURCE_TYPE = 'EKSCluster';

/** Longest value kept from a finding string; the Slack view truncates further to each block's limit. */
const MAX_VALUE_LENGTH = 4096;
const MAX_SUMMARY_LENGTH = 1000;
const MAX_TITLE_LENGTH = 300;
const MAX_LIST_ITEMS = 20;

type Json = Record<string, unknown>;

export function normalizeGuardDutyEvent(event: unknown): GuardDutyResult {
  const envelope = requireObject(event, 'event');
  requireLiteral(envelope, 'source', EVENT_SOURCE, 'event');
  requireLiteral(envelope, 'detail-type', DETAIL_TYPE, 'event');
  const detail = requireObject(envelope.detail, 'detail');
  const id = requireString(detail.id, 'detail.id');
  const type = requireString(detail.type, 'detail.type');
  const score = requireNumber(detail.severity, 'detail.severity');
  const resource = requireObject(detail.resource, 'detail.resource');
  const resourceType = requireString(resource.resourceType, 'detail.resource.resourceType');

  if (resourceType !== EKS_RESOURCE_TYPE) {
    return {
      kind: 'ignored',
      reason: `GuardDuty finding ${clip(id, 100)} (${clip(type, 200)}) is about resource type "${clip(resourceType, 100)}", not an EKS cluster (${EKS_RESOURCE_TYPE}); kubeguard handles EKS findings only`,
    };
  }
  return { kind: 'detection', detection: toDetection(envelope, detail, { id, type, score, resource }) };
}

interface Essentials {
  id: string;
  type: string;
  score: number;
  resource: Json;
}

function toDetection(envelope: Json, detail: Json, { id, type, score, resource }: Essentials): Detection {
  const service = asObject(detail.service) ?? {};
  const apiCall = asObject(asObject(service.action)?.kubernetesApiCallAction);
  const kubernetes = asObject(resource.kubernetesDetails);
  const workload = asObject(kubernetes?.kubernetesWorkloadDetails);
  const runtime = asObject(service.runtimeDetails);
  const mapping = findGuardDutyFindingType(type);
  const account = text(detail.accountId) ?? text(envelope.account);
  const region = text(detail.region) ?? text(envelope.region);
  const target = kubernetesTarget(workload, apiCall, asObject(service.action));
  const firstContainer = asObject(asArray(workload?.containers)[0]) ?? asObject(resource.containerDetails);
  const createdAt = text(detail.createdAt);
  const updatedAt = text(detail.updatedAt);
  const firstSeen = text(service.eventFirstSeen) ?? createdAt ?? text(envelope.time) ?? updatedAt;
  const lastSeen = text(service.eventLastSeen) ?? updatedAt ?? firstSeen;
  if (firstSeen === undefined || lastSeen === undefined) {
    throw new InvalidEventError(
      `GuardDuty finding ${clip(id, 100)} has no timestamp: detail.service.eventFirstSeen, detail.createdAt and event.time are all missing — the event is not an EventBridge GuardDuty finding`,
    );
  }
  const detection: Detection = {
    ruleId: mapping?.ruleId ?? type,
    findingType: type,
    title: clip(text(detail.title) ?? type, MAX_TITLE_LENGTH),
    severity: severityFromGuardDutyScore(score),
    severityScore: score,
    mitre: [...(mapping?.mitre ?? [])],
    source: 'guardduty',
    summary: summaryOf(detail, type),
    sourceIps: sourceIpsOf(service),
    evidence: evidenceOf(type, apiCall, service, resource, workload),
    eventId: id,
    firstSeen,
    lastSeen,
    count: countOf(service.count),
    sample: isSample(service.additionalInfo),
  };
  assign(detection, 'account', account);
  assign(detection, 'region', region);
  assign(detection, 'cluster', clusterOf(resource));
  assign(detection, 'namespace', target.namespace);
  assign(detection, 'workload', target.workload);
  assign(detection, 'pod', target.pod);
  assign(detection, 'container', text(firstContainer?.name));
  assign(detection, 'image', text(firstContainer?.image));
  assign(detection, 'node', nodeOf(asObject(resource.instanceDetails)));
  const user = asObject(kubernetes?.kubernetesUserDetails);
  const accessKey = asObject(resource.accessKeyDetails);
  assign(detection, 'principal', text(user?.username) ?? text(accessKey?.userName));
  assign(detection, 'actor', actorOf(user, accessKey));
  assign(detection, 'userAgent', text(apiCall?.userAgent));
  assign(detection, 'updatedAt', updatedAt);
  assign(detection, 'consoleUrl', consoleUrlOf(region, id));
  const process = processOf(runtime);
  if (process !== undefined) detection.process = process;
  const secretNames = secretNamesOf(apiCall, target.namespace);
  if (secretNames.length > 0) detection.secretNames = secretNames;
  detection.summaryParts = [...markValues(detection.summary, valuesOf(detection)).parts];
  return detection;
}

/**
 * The values of a detection that GuardDuty's description may quote (cluster, pod, user, file …):
 * the summary shows them as data. The rest of the description stays untrusted text, which
 * renderers neutralize.
 */
function valuesOf(detection: Detection): (string | undefined)[] {
  const { evidence, process, actor } = detection;
  const { guardDutyType: _type, ...quoted } = evidence;
  return [
    detection.cluster,
    detection.namespace,
    detection.workload,
    detection.workload?.slice(detection.workload.indexOf('/') + 1),
    detection.pod,
    detection.container,
    detection.image,
    detection.node,
    detection.principal,
    actor?.arn,
    actor?.sessionName,
    actor?.accessKeyId,
    process?.name,
    process?.executablePath,
    process?.commandLine,
    ...detection.sourceIps,
    ...(detection.secretNames ?? []),
    ...Object.values(quoted),
  ];
}

/**
 * The IAM identity behind the finding's Kubernetes user: the username when it is an IAM ARN (EKS
 * users mapped from IAM), the role session name (`kubernetesUserDetails.sessionName`, a list, or the
 * part of an assumed role's `accessKeyDetails.principalId` after the colon) and the access key.
 */
function actorOf(user: Json | undefined, accessKey: Json | undefined): Actor | undefined {
  const actor: Actor = {};
  const username = text(user?.username);
  if (username !== undefined && IAM_ARN.test(username)) actor.arn = username;
  const principalId = text(accessKey?.principalId);
  const sessionFromPrincipal = principalId?.includes(':')
    ? principalId.slice(principalId.indexOf(':') + 1)
    : undefined;
  assign(actor, 'sessionName', firstText(user?.sessionName) ?? text(sessionFromPrincipal));
  assign(actor, 'accessKeyId', text(accessKey?.accessKeyId));
  return Object.keys(actor).length > 0 ? actor : undefined;
}

const IAM_ARN = /^arn:aws[a-z-]*:(?:sts|iam)::\d{12}:/;

/** A string, or the first string of a list (GuardDuty reports `sessionName` as a list). */
function firstText(value: unknown): string | undefined {
  return Array.isArray(value) ? text(value.find((item) => typeof item === 'string')) : text(value);
}

/**
 * A redelivered finding (same id) is a newer revision when GuardDuty updated it later, or — with
 * the same update time — counted more occurrences. An identical redelivery is not newer, so
 * processing it twice is idempotent; an older revision arriving late never overwrites a newer one.
 */
export function isNewerRevision(previous: Detection, next: Detection): boolean {
  if (previous.eventId !== next.eventId) return false;
  const before = timeOf(previous.updatedAt);
  const after = timeOf(next.updatedAt);
  if (before !== undefined && after !== undefined && before !== after) return after > before;
  return next.count > previous.count;
}

function timeOf(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const millis = Date.parse(iso);
  return Number.isNaN(millis) ? undefined : millis;
}

// ---- where: cluster, namespace, workload, pod, node ----

/** EKS cluster names (CreateCluster): what a real `eksClusterDetails.arn` ends with. */
const EKS_CLUSTER_ARN = /^arn:aws[a-z-]*:eks:[a-z0-9-]+:\d{12}:cluster\/([0-9A-Za-z][A-Za-z0-9\-_]{0,99})$/;

function clusterOf(resource: Json): string | undefined {
  const details = asObject(resource.eksClusterDetails);
  const name = text(details?.name);
  if (name !== undefined) return name;
  // Sample findings carry placeholders such as "GeneratedFindingEKSClusterArn": only trust a real ARN.
  const fromArn = EKS_CLUSTER_ARN.exec(text(details?.arn) ?? '')?.[1];
  if (fromArn !== undefined) return fromArn;
  const tags = asArray(asObject(resource.instanceDetails)?.tags).map(asObject);
  return text(tags.find((tag) => tag?.key === 'eks:cluster-name')?.value);
}

/** GuardDuty's plural resource types → the singular kind used in `<kind>/<name>`. */
const KIND_OF_RESOURCE: Record<string, string> = {
  pods: 'pod',
  deployments: 'deployment',
  replicasets: 'replicaset',
  daemonsets: 'daemonset',
  statefulsets: 'statefulset',
  jobs: 'job',
  cronjobs: 'cronjob',
  replicationcontrollers: 'replicationcontroller',
  clusterrolebindings: 'clusterrolebinding',
  rolebindings: 'rolebinding',
  clusterroles: 'clusterrole',
  roles: 'role',
  secrets: 'secret',
  serviceaccounts: 'serviceaccount',
  services: 'service',
  configmaps: 'configmap',
};

function kindOf(resourceType: string): string {
  const lower = resourceType.toLowerCase();
  return KIND_OF_RESOURCE[lower] ?? lower;
}

interface KubernetesTarget {
  namespace?: string;
  workload?: string;
  pod?: string;
}

const NAMESPACED_URI = /\/namespaces\/([^/?]+)(?:\/([^/?]+)\/([^/?]+))?/;

function kubernetesTarget(workload: Json | undefined, apiCall: Json | undefined, action: Json | undefined) {
  const target: KubernetesTarget = {};
  const uri = NAMESPACED_URI.exec(text(apiCall?.requestUri) ?? '');
  assign(target, 'namespace', text(workload?.namespace) ?? text(apiCall?.namespace) ?? text(uri?.[1]));
  const workloadName = text(workload?.name);
  const workloadType = text(workload?.type);
  if (workloadName !== undefined && workloadType !== undefined) {
    target.workload = `${kindOf(workloadType)}/${workloadName}`;
    if (kindOf(workloadType) === 'pod') target.pod = workloadName;
    return target;
  }
  const binding = asObject(action?.kubernetesRoleBindingDetails);
  const resourceType = text(apiCall?.resource) ?? text(uri?.[2]);
  const resourceName = text(apiCall?.resourceName) ?? text(uri?.[3]);
  if (binding !== undefined && text(binding.kind) !== undefined && text(binding.name) !== undefined) {
    target.workload = `${kindOf(text(binding.kind) ?? '')}/${text(binding.name)}`;
  } else if (resourceType !== undefined && resourceName !== undefined) {
    target.workload = `${kindOf(resourceType)}/${resourceName}`;
  }
  if (resourceType === 'pods' && resourceName !== undefined) target.pod = resourceName;
  return target;
}

/** The Kubernetes node name of an EKS node is its private DNS name; the instance id otherwise. */
function nodeOf(instance: Json | undefined): string | undefined {
  if (instance === undefined) return undefined;
  const nic = asObject(asArray(instance.networkInterfaces)[0]);
  return text(nic?.privateDnsName) ?? text(instance.instanceId);
}

// ---- who: source IPs ----

function sourceIpsOf(service: Json): string[] {
  const action = asObject(service.action);
  const apiCall = asObject(action?.kubernetesApiCallAction);
  const network = asObject(action?.networkConnectionAction);
  const ips = [
    ...asArray(apiCall?.sourceIPs).map(text),
    ...remoteIps(asObject(apiCall?.remoteIpDetails)),
    ...remoteIps(asObject(network?.remoteIpDetails)),
  ].filter((ip): ip is string => ip !== undefined);
  return [...new Set(ips)].slice(0, MAX_LIST_ITEMS);
}

function remoteIps(details: Json | undefined): (string | undefined)[] {
  return [text(details?.ipAddressV4), text(details?.ipAddressV6)];
}

// ---- what: process, secrets, evidence, summary ----

function processOf(runtime: Json | undefined): ProcessInfo | undefined {
  const raw = asObject(runtime?.process);
  if (raw === undefined) return undefined;
  const process: ProcessInfo = {};
  assign(process, 'name', text(raw.name));
  assign(process, 'executablePath', text(raw.executablePath));
  // GuardDuty reports an example command line on the runtime context, not on the process.
  assign(process, 'commandLine', text(asObject(runtime?.context)?.commandLineExample));
  if (typeof raw.pid === 'number' && Number.isInteger(raw.pid)) process.pid = raw.pid;
  assign(process, 'user', text(raw.user));
  return Object.keys(process).length > 0 ? process : undefined;
}

const SECRET_URI = /\/secrets\/([^/?]+)/;

function secretNamesOf(apiCall: Json | undefined, namespace: string | undefined): string[] {
  if (apiCall === undefined) return [];
  const fromUri = SECRET_URI.exec(text(apiCall.requestUri) ?? '')?.[1];
  const name = text(apiCall.resource) === 'secrets' ? (text(apiCall.resourceName) ?? fromUri) : fromUri;
  if (name === undefined) return [];
  return [namespace === undefined ? name : `${namespace}/${name}`];
}

function evidenceOf(
  type: string,
  apiCall: Json | undefined,
  service: Json,
  resource: Json,
  workload: Json | undefined,
): Record<string, string> {
  const evidence: Record<string, string> = { guardDutyType: clip(type, MAX_VALUE_LENGTH) };
  const put = (key: string, value: unknown) => assign(evidence, key, scalarText(value));
  put('requestUri', apiCall?.requestUri);
  put('verb', apiCall?.verb);
  put('statusCode', apiCall?.statusCode);
  put('resource', apiCall?.resource);
  put('subresource', apiCall?.subresource);
  put('resourceName', apiCall?.resourceName);
  put('parameters', apiCall?.parameters);
  const remote = asObject(apiCall?.remoteIpDetails);
  put('sourceCountry', known(asObject(remote?.country)?.countryName));
  put('sourceOrganization', known(asObject(remote?.organization)?.asnOrg));
  const binding = asObject(asObject(service.action)?.kubernetesRoleBindingDetails);
  if (binding !== undefined) put('roleRef', joinDefined([binding.roleRefKind, binding.roleRefName], '/'));
  const threats = asArray(asObject(service.evidence)?.threatIntelligenceDetails).map(asObject);
  put(
    'threatNames',
    joinDefined(
      threats.flatMap((t) => asArray(t?.threatNames)),
      ', ',
    ),
  );
  put(
    'threatList',
    joinDefined(
      threats.map((t) => t?.threatListName),
      ', ',
    ),
  );
  put('serviceAccount', workload?.serviceAccountName);
  if (workload?.hostNetwork === true) evidence.hostNetwork = 'true';
  const containers = asArray(workload?.containers).map(asObject);
  if (containers.length > 1)
    put(
      'containers',
      joinDefined(
        containers.map((c) => c?.name),
        ', ',
      ),
    );
  const privileged = containers.filter((c) => asObject(c?.securityContext)?.privileged === true);
  if (privileged.length > 0)
    put(
      'privilegedContainers',
      joinDefined(
        privileged.map((c) => c?.name),
        ', ',
      ),
    );
  put('instanceId', asObject(resource.instanceDetails)?.instanceId);
  runtimeEvidence(asObject(service.runtimeDetails), put);
  return evidence;
}

function runtimeEvidence(runtime: Json | undefined, put: (key: string, value: unknown) => void): void {
  if (runtime === undefined) return;
  const process = asObject(runtime.process);
  put('executableSha256', process?.executableSha256);
  put('parentProcess', asObject(asArray(process?.lineage)[0])?.executablePath);
  const context = asObject(runtime.context);
  put('filePath', context?.filePath);
  put('modifyingProcess', asObject(context?.modifyingProcess)?.executablePath);
  put('mountSource', context?.mountSource);
  put('mountTarget', context?.mountTarget);
  put('fileSystemType', context?.fileSystemType);
  put('scriptPath', context?.scriptPath);
  put('libraryPath', context?.libraryPath);
  put('moduleName', context?.moduleName);
  put('targetProcess', asObject(context?.targetProcess)?.executablePath);
  put('addressFamily', context?.addressFamily);
  put('socketPath', context?.socketPath);
  put('releaseAgentPath', context?.releaseAgentPath);
  put('runcBinaryPath', context?.runcBinaryPath);
  put('toolName', context?.toolName);
  put('commandLine', context?.commandLineExample);
}

/** The first sentence of GuardDuty's description (the rest is generic advice), else the title. */
function summaryOf(detail: Json, type: string): string {
  const description = text(detail.description);
  if (description !== undefined) {
    const firstSentence = description.split(/(?<=\.)\s+(?=[A-Z])/)[0] ?? description;
    return clip(firstSentence, MAX_SUMMARY_LENGTH);
  }
  return clip(text(detail.title) ?? `GuardDuty reported ${type}.`, MAX_SUMMARY_LENGTH);
}

function countOf(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 1 ? Math.floor(value) : 1;
}

/**
 * Sample findings (CreateSampleFindings) say `sample: true` in additionalInfo; some deliveries only
 * carry it inside `additionalInfo.value`, a JSON string.
 */
function isSample(additionalInfo: unknown): boolean {
  const info = asObject(additionalInfo);
  if (info === undefined) return false;
  if (info.sample === true) return true;
  if (typeof info.value !== 'string') return false;
  try {
    return asObject(JSON.parse(info.value))?.sample === true;
  } catch {
    return false;
  }
}

const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

function consoleUrlOf(region: string | undefined, id: string): string | undefined {
  if (region === undefined || !AWS_REGION.test(region)) return undefined;
  return `https://${region}.console.aws.amazon.com/guardduty/home?region=${region}#/findings?fId=${encodeURIComponent(id)}`;
}

// ---- reading untyped JSON ----

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  const json = JSON.stringify(value);
  return json === undefined ? String(value) : clip(json, 120);
}

function invalid(field: string, expected: string, value: unknown): InvalidEventError {
  return new InvalidEventError(
    `GuardDuty event field "${field}" must be ${expected}; received ${describeValue(value)} — deliver EventBridge "GuardDuty Finding" events from source aws.guardduty unchanged`,
    { details: { field, received: describeValue(value) } },
  );
}

function requireObject(value: unknown, field: string): Json {
  const object = asObject(value);
  if (object === undefined) throw invalid(field, 'an object', value);
  return object;
}

function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalid(field, 'a non-empty string', value);
  return value;
}

function requireNumber(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(field, 'a number', value);
  return value;
}

function requireLiteral(object: Json, key: string, expected: string, parent: string): void {
  if (object[key] !== expected) throw invalid(`${parent}.${key}`, `"${expected}"`, object[key]);
}

function asObject(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A non-blank string, trimmed and clipped; anything else is absent. */
function text(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : clip(trimmed, MAX_VALUE_LENGTH);
}

function scalarText(value: unknown): string | undefined {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return text(value);
}

/** GuardDuty fills unresolved geo/ASN data with "UNKNOWN": that is no evidence. */
function known(value: unknown): unknown {
  return typeof value === 'string' && value.trim().toUpperCase() === 'UNKNOWN' ? undefined : value;
}

function joinDefined(values: unknown[], separator: string): string | undefined {
  const present = values.map(text).filter((v): v is string => v !== undefined);
  return present.length > 0 ? present.slice(0, MAX_LIST_ITEMS).join(separator) : undefined;
}

function clip(value: string, max: number): string {
  if (value.length <= max) return value;
  return `${value.slice(0, max - 1).replace(/[\uD800-\uDBFF]$/, '')}…`;
}

function assign<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}
