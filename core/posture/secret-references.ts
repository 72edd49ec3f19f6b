import { parse } from 'yaml';
import { list, record } from './pod-templates.ts';
import type { KubeObject } from './snapshot.ts';
import { namespaceOf } from './snapshot-index.ts';

/**
 * The AWS Secrets Manager secrets a cluster references, by name or ARN:
 *  - ExternalSecret (external-secrets.io) `spec.data[].remoteRef.key` and `spec.dataFrom[].extract.key`,
 *    when its `secretStoreRef` points at a (Cluster)SecretStore whose `spec.provider.aws.service` is
 *    `SecretsManager` (Parameter Store references are not Secrets Manager secrets);
 *  - SecretProviderClass (Secrets Store CSI driver, `spec.provider: aws`) `spec.parameters.objects`, a
 *    YAML string listing `objectName` with `objectType: secretsmanager` (or a Secrets Manager ARN).
 */
export function referencedSecretIds(objects: readonly KubeObject[]): string[] {
  const stores = secretsManagerStores(objects);
  const ids = new Set<string>();
  for (const object of objects) {
    if (object.kind === 'ExternalSecret') {
      const ref = record(record(object.spec)?.secretStoreRef) ?? {};
      const kind = ref.kind === 'ClusterSecretStore' ? 'ClusterSecretStore' : 'SecretStore';
      const key = storeKey(kind, String(ref.name ?? ''), kind === 'SecretStore' ? namespaceOf(object) : '');
      if (!stores.has(key)) continue;
      for (const item of list(record(object.spec)?.data).map(record))
        addKey(ids, record(item?.remoteRef)?.key);
      for (const item of list(record(object.spec)?.dataFrom).map(record))
        addKey(ids, record(item?.extract)?.key);
    } else if (object.kind === 'SecretProviderClass' && record(object.spec)?.provider === 'aws') {
      for (const entry of providerObjects(record(record(object.spec)?.parameters)?.objects)) {
        const name = entry.objectName;
        if (typeof name !== 'string') continue;
        if (entry.objectType === 'secretsmanager' || name.startsWith('arn:aws:secretsmanager:'))
          addKey(ids, name);
      }
    }
  }
  return [...ids].sort();
}

function storeKey(kind: string, name: string, namespace: string): string {
  return `${kind}\u0000${namespace}\u0000${name}`;
}

function secretsManagerStores(objects: readonly KubeObject[]): Set<string> {
  const keys = new Set<string>();
  for (const object of objects) {
    if (object.kind !== 'SecretStore' && object.kind !== 'ClusterSecretStore') continue;
    const aws = record(record(record(object.spec)?.provider)?.aws);
    if (aws?.service !== 'SecretsManager') continue;
    keys.add(
      storeKey(object.kind, object.metadata.name, object.kind === 'SecretStore' ? namespaceOf(object) : ''),
    );
  }
  return keys;
}

function providerObjects(text: unknown): Record<string, unknown>[] {
  if (typeof text !== 'string') return [];
  try {
    return list(parse(text))
      .map(record)
      .filter((entry) => entry !== undefined);
  } catch {
    return []; // the CSI driver rejects such a class too; nothing is referenced
  }
}

function addKey(ids: Set<string>, key: unknown): void {
  if (typeof key === 'string' && key.trim() !== '') ids.add(key.trim());
}
