import { isRecord } from '../detection/audit-event.ts';

/**
 * Bare GuardDuty findings — an element of `aws guardduty get-findings` output (`{"Findings":[…]}`)
 * or one finding saved on its own — put back into the EventBridge event that
 * core/guardduty/normalize.ts reads (`source: aws.guardduty`, `detail` = the finding in the API's
 * camelCase JSON).
 *
 * The API's JSON is camelCase (`accountId`, `resource.resourceType`); the AWS CLI and the SDKs
 * print the model's member names, PascalCase (`AccountId`, `Resource.ResourceType`). Member names
 * map to the JSON names by lower-casing the first letter, except for the members listed in
 * PASCAL_EXCEPTIONS, taken from the GuardDuty model (@aws-sdk/client-guardduty's schema; a test
 * checks the table against it). Map-typed members keep their keys (MAP_MEMBERS).
 */

/** Paths (from the finding, `[]` for list items) whose JSON name is not the lower-cased member name. */
export const PASCAL_EXCEPTIONS: Readonly<Record<string, string>> = {
  'Resource.EcsClusterDetails.TaskDetails.TaskCreatedAt': 'createdAt',
  'Resource.InstanceDetails.ProductCodes[].Code': 'productCodeId',
  'Resource.InstanceDetails.ProductCodes[].ProductType': 'productCodeType',
  'Service.Action.KubernetesApiCallAction.SourceIps': 'sourceIPs',
  'Service.Action.RdsLoginAttemptAction.LoginAttributes': 'LoginAttributes',
  'Service.Detection.Sequence.Actors[].User.Account.Name': 'account',
  'Service.Detection.Sequence.Endpoints[].Location.Latitude': 'lat',
  'Service.Detection.Sequence.Endpoints[].Location.Longitude': 'lon',
  'Service.Detection.Sequence.Resources[].Data.Ec2Instance.IamInstanceProfile': 'IamInstanceProfile',
  'Service.Detection.Sequence.Resources[].Data.Ec2Instance.ProductCodes[].Code': 'productCodeId',
  'Service.Detection.Sequence.Resources[].Data.Ec2Instance.ProductCodes[].ProductType': 'productCodeType',
  'Service.Detection.Sequence.Resources[].Data.KubernetesWorkload.KubernetesResourcesTypes': 'type',
};

/** Map-typed members (free-form keys, kept as they are). */
export const MAP_MEMBERS: ReadonlySet<string> = new Set([
  'Service.Detection.Anomaly.Profiles',
  'Service.Detection.Anomaly.Unusual.Behavior',
]);

/** A finding object: the fields GetFindings always returns, in either spelling. */
export function bareFindingCase(value: unknown): 'camel' | 'pascal' | undefined {
  if (!isRecord(value)) return undefined;
  if (
    typeof value.schemaVersion === 'string' &&
    typeof value.type === 'string' &&
    isRecord(value.resource) &&
    'id' in value
  ) {
    return 'camel';
  }
  if (
    typeof value.SchemaVersion === 'string' &&
    typeof value.Type === 'string' &&
    isRecord(value.Resource) &&
    'Id' in value
  ) {
    return 'pascal';
  }
  return undefined;
}

/** A PascalCase finding (CLI/SDK output) in the API's camelCase JSON. */
export function camelCaseFinding(value: unknown, path = ''): unknown {
  if (Array.isArray(value)) return value.map((item) => camelCaseFinding(item, `${path}[]`));
  if (!isRecord(value)) return value;
  if (MAP_MEMBERS.has(path)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const memberPath = path === '' ? key : `${path}.${key}`;
    const name = PASCAL_EXCEPTIONS[memberPath] ?? key.charAt(0).toLowerCase() + key.slice(1);
    out[name] = camelCaseFinding(item, memberPath);
  }
  return out;
}

/**
 * The EventBridge event GuardDuty would have sent for this finding (EventBridge's envelope: version,
 * id, detail-type, source, account, time, region, resources, detail).
 */
export function findingAsEventBridgeEvent(finding: unknown): Record<string, unknown> {
  const detail = (bareFindingCase(finding) === 'pascal' ? camelCaseFinding(finding) : finding) as Record<
    string,
    unknown
  >;
  const event: Record<string, unknown> = {
    version: '0',
    id: typeof detail.id === 'string' ? detail.id : '',
    'detail-type': 'GuardDuty Finding',
    source: 'aws.guardduty',
    resources: [],
    detail,
  };
  if (typeof detail.accountId === 'string') event.account = detail.accountId;
  if (typeof detail.updatedAt === 'string') event.time = detail.updatedAt;
  if (typeof detail.region === 'string') event.region = detail.region;
  return event;
}
