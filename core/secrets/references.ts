import { field, type KubeObject } from '../model/kube-object.ts';
import { isAwsProviderClass, isSecretsManagerObject, providerObjects } from './csi.ts';
import {
  externalSecretDefinitions,
  isExternalSecretsKind,
  remoteKeys,
  storeRefOf,
} from './external-secrets.ts';

/**
 * The AWS Secrets Manager secrets a cluster references, by name or ARN:
 *  - ExternalSecret (external-secrets.io, v1 or v1beta1) `spec.data[].remoteRef.key` and
 *    `spec.dataFrom[].extract.key` — and the same in a ClusterExternalSecret's
 *    `spec.externalSecretSpec` — when the `secretStoreRef` points at a (Cluster)SecretStore whose
 *    `spec.provider.aws.service` is `SecretsManager` (Parameter Store references are not Secrets
 *    Manager secrets);
 *  - SecretProviderClass (Secrets Store CSI driver, `spec.provider: aws`) `spec.parameters.objects`
 *    entries that are Secrets Manager objects.
 */
export function referencedSecretIds(objects: readonly KubeObject[]): string[] {
  const stores = secretsManagerStores(objects);
  const ids = new Set<string>();
  for (const definition of externalSecretDefinitions(objects).definitions) {
    const ref = storeRefOf(definition);
    const key = storeKey(ref.kind, ref.name, ref.kind === 'SecretStore' ? definition.namespace : '');
    if (!stores.has(key)) continue;
    for (const { key } of remoteKeys(definition)) addKey(ids, key);
  }
  for (const object of objects) {
    if (!isAwsProviderClass(object)) continue;
    const entries = providerObjects(object);
    if (typeof entries === 'string') continue; // the CSI driver rejects such a class too
    for (const entry of entries) if (isSecretsManagerObject(entry)) addKey(ids, entry.objectName);
  }
  return [...ids].sort();
}

function storeKey(kind: string, name: string, namespace: string): string {
  return `${kind}\u0000${namespace}\u0000${name}`;
}

function secretsManagerStores(objects: readonly KubeObject[]): Set<string> {
  const keys = new Set<string>();
  for (const object of objects) {
    const cluster = isExternalSecretsKind(object, 'ClusterSecretStore');
    if (!cluster && !isExternalSecretsKind(object, 'SecretStore')) continue;
    if (field(object, 'spec', 'provider', 'aws', 'service') !== 'SecretsManager') continue;
    const namespace = object.metadata.namespace;
    keys.add(
      storeKey(
        object.kind,
        object.metadata.name,
        cluster ? '' : namespace !== undefined && namespace !== '' ? namespace : 'default',
      ),
    );
  }
  return keys;
}

function addKey(ids: Set<string>, key: unknown): void {
  if (typeof key === 'string' && key.trim() !== '') ids.add(key.trim());
}
