import { parse } from 'yaml';
import { arrayField, field, type KubeObject } from '../model/kube-object.ts';

/**
 * SecretProviderClass objects of the Secrets Store CSI driver (secrets-store.csi.x-k8s.io) with the
 * AWS provider, read as the provider reads them: `spec.parameters.objects` is a YAML string (a list
 * in some older manifests) of objects, each a Secrets Manager secret or an SSM parameter.
 */

export const SECRET_PROVIDER_CLASS_GROUP = 'secrets-store.csi.x-k8s.io';
/** The CSI driver name pods mount a SecretProviderClass through. */
export const CSI_DRIVER = 'secrets-store.csi.k8s.io';
/** YAML aliases allowed in `parameters.objects`: enough for real classes, too few for an alias bomb. */
const MAX_OBJECTS_ALIASES = 50;

/** The SecretProviderClass a pod volume mounts, when it is a Secrets Store CSI driver volume. */
export function csiSecretProviderClass(volume: unknown): string | undefined {
  const name = field(volume, 'csi', 'volumeAttributes', 'secretProviderClass');
  return field(volume, 'csi', 'driver') === CSI_DRIVER && typeof name === 'string' && name !== ''
    ? name
    : undefined;
}

export function isSecretProviderClass(object: KubeObject): boolean {
  return (
    object.kind === 'SecretProviderClass' &&
    (object.apiVersion ?? '').startsWith(`${SECRET_PROVIDER_CLASS_GROUP}/`)
  );
}

/** An AWS provider class (`spec.provider: aws`). */
export function isAwsProviderClass(object: KubeObject): boolean {
  return isSecretProviderClass(object) && field(object, 'spec', 'provider') === 'aws';
}

/** The entries of `spec.parameters.objects`, or why they cannot be read. */
export function providerObjects(object: KubeObject): Record<string, unknown>[] | string {
  const value = field(object, 'spec', 'parameters', 'objects');
  let items: unknown = value;
  if (typeof value === 'string') {
    try {
      items = parse(value, { maxAliasCount: MAX_OBJECTS_ALIASES });
    } catch (error) {
      return `not valid YAML (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
    }
  }
  if (!Array.isArray(items)) return 'expected a YAML list of objects';
  return items.map((item) =>
    typeof item === 'object' && item !== null && !Array.isArray(item)
      ? (item as Record<string, unknown>)
      : {},
  );
}

/** A Secrets Manager object: `objectType: secretsmanager`, or a Secrets Manager ARN without a type. */
export function isSecretsManagerObject(item: Record<string, unknown>): boolean {
  const type = item.objectType;
  if (type === 'secretsmanager') return true;
  // The AWS provider infers the type from an ARN when objectType is left out.
  return type === undefined && typeof item.objectName === 'string' && item.objectName.startsWith('arn:')
    ? item.objectName.split(':')[2] === 'secretsmanager'
    : false;
}

/** The failover objects' names (`failoverObject[].objectName`), with their index. */
export function failoverNames(item: Record<string, unknown>): { index: number; name: unknown }[] {
  return arrayField(item, 'failoverObject').map((failover, index) => ({
    index,
    name: field(failover, 'objectName'),
  }));
}

/** The file names an object is mounted under, which `secretObjects[].data[].objectName` refers to. */
export function mountedFileNames(item: Record<string, unknown>): string[] {
  const names: string[] = [];
  if (typeof item.objectAlias === 'string') names.push(item.objectAlias);
  else if (typeof item.objectName === 'string')
    names.push(item.objectName, item.objectName.replaceAll('/', '_'));
  for (const entry of arrayField(item, 'jmesPath')) {
    const alias = field(entry, 'objectAlias');
    if (typeof alias === 'string') names.push(alias);
  }
  return names;
}

/** Kubernetes Secrets the driver syncs (`spec.secretObjects`) from any of the mounted file names. */
export function syncedSecretNames(object: KubeObject, mounted: ReadonlySet<string>): string[] {
  const names = arrayField(object, 'spec', 'secretObjects').flatMap((entry) => {
    const name = field(entry, 'secretName');
    const fromOurs = arrayField(entry, 'data').some((data) => mounted.has(String(field(data, 'objectName'))));
    return typeof name === 'string' && name !== '' && fromOurs ? [name] : [];
  });
  return [...new Set(names)];
}
