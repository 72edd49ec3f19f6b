import { field, type KubeObject } from '../model/kube-object.ts';
import { compileClusterPattern, quotePattern } from './cluster-pattern.ts';
import {
  failoverNames,
  isAwsProviderClass,
  isSecretsManagerObject,
  mountedFileNames,
  providerObjects,
  syncedSecretNames,
} from './csi.ts';
import {
  CLUSTER_FORCE_SYNC_ANNOTATION,
  clusterExternalSecretTargets,
  type ExternalSecretDefinition,
  externalSecretDefinitions,
  findBlocks,
  isExternalSecretsKind,
  isNamed,
  managedExternalSecretName,
  refreshCaveat,
  remoteKeys,
  targetSecretName,
} from './external-secrets.ts';

/**
 * Which objects in a cluster fetch one Secrets Manager secret, and the Kubernetes Secrets they write
 * (pure): ExternalSecrets (and the ClusterExternalSecrets that create them) and SecretProviderClasses.
 * Objects from the cluster are untrusted: every field is read defensively, and a reference kubeguard
 * cannot evaluate safely is reported as undetermined, never guessed.
 */

export interface SecretIdentity {
  name: string;
  arn: string;
  /** Needed to evaluate ExternalSecret `find.tags`; without them such finds are undetermined. */
  tags?: Readonly<Record<string, string>>;
}

export interface ObjectKey {
  apiVersion: string;
  kind: string;
  /** `''` for cluster-scoped objects (ClusterExternalSecret). */
  namespace: string;
  name: string;
}

export interface ExternalSecretUse extends ObjectKey {
  /** Where the secret is named, e.g. `spec.data[0].remoteRef.key` (in the ClusterExternalSecret when managed). */
  references: string[];
  /** The Kubernetes Secret it writes (`spec.target.name`, defaulting to the ExternalSecret's name). */
  targetSecret: string;
  /** Set when a force-sync annotation will probably not make the operator fetch again. */
  refreshCaveat?: string;
  /**
   * The ClusterExternalSecret that manages this ExternalSecret: a force-sync goes on it
   * (`CLUSTER_FORCE_SYNC_ANNOTATION`), since it overwrites the annotations of what it manages.
   */
  managedBy?: ObjectKey;
}

export interface ClusterExternalSecretUse extends ObjectKey {
  /** e.g. `spec.externalSecretSpec.data[0].remoteRef.key`. */
  references: string[];
  /** The name of the ExternalSecrets it creates. */
  externalSecretName: string;
  /** The namespaces it creates them in, as far as known. */
  namespaces: string[];
  /** The annotation that makes every ExternalSecret it manages fetch again. */
  forceSyncAnnotation: typeof CLUSTER_FORCE_SYNC_ANNOTATION;
}

export interface SecretProviderClassUse extends ObjectKey {
  /** e.g. `spec.parameters.objects[0].objectName`. */
  references: string[];
  /** Kubernetes Secrets the CSI driver syncs from the matched objects (`spec.secretObjects`). */
  syncedSecrets: string[];
}

export interface KubernetesSecretUse {
  namespace: string;
  name: string;
  /** The ExternalSecret or SecretProviderClass that writes it. */
  writtenBy: ObjectKey;
}

export interface UndeterminedUse extends ObjectKey {
  reason: string;
}

export interface SecretWriters {
  externalSecrets: ExternalSecretUse[];
  clusterExternalSecrets: ClusterExternalSecretUse[];
  secretProviderClasses: SecretProviderClassUse[];
  kubernetesSecrets: KubernetesSecretUse[];
  undetermined: UndeterminedUse[];
}

export function findSecretWriters(secret: SecretIdentity, objects: readonly KubeObject[]): SecretWriters {
  const result: SecretWriters = {
    externalSecrets: [],
    clusterExternalSecrets: [],
    secretProviderClasses: [],
    kubernetesSecrets: [],
    undetermined: [],
  };
  matchClusterExternalSecrets(secret, objects, result);
  const { definitions, problems } = externalSecretDefinitions(objects);
  for (const definition of definitions) matchExternalSecret(secret, definition, result);
  for (const problem of problems) {
    if (result.clusterExternalSecrets.some((use) => use.name === problem.object.metadata.name)) {
      result.undetermined.push({ ...keyOf(problem.object), reason: problem.reason });
    }
  }
  for (const object of objects) {
    if (isAwsProviderClass(object) && isNamed(object)) matchSecretProviderClass(secret, object, result);
  }
  for (const use of result.externalSecrets) {
    addSecret(result, { namespace: use.namespace, name: use.targetSecret, writtenBy: keyFrom(use) });
  }
  for (const use of result.secretProviderClasses) {
    for (const name of use.syncedSecrets) {
      addSecret(result, { namespace: use.namespace, name, writtenBy: keyFrom(use) });
    }
  }
  return result;
}

// ---------------------------------------------------------------- Secrets Manager references

/**
 * Whether a reference names the secret: its name, its full ARN, or its partial ARN (the ARN without
 * the 6-character suffix Secrets Manager appends), which both operators accept.
 */
export function namesSecret(reference: unknown, secret: SecretIdentity): boolean {
  if (typeof reference !== 'string') return false;
  const value = reference.trim();
  if (value === '') return false;
  return value === secret.name || value === secret.arn || value === partialArn(secret);
}

function partialArn(secret: SecretIdentity): string | undefined {
  const withoutSuffix = secret.arn.replace(/-[A-Za-z0-9]{6}$/, '');
  return withoutSuffix !== secret.arn && withoutSuffix.endsWith(`:secret:${secret.name}`)
    ? withoutSuffix
    : undefined;
}

// ---------------------------------------------------------------- External Secrets Operator

/** Paths in the spec that name the secret, and finds that could not be decided. */
function specReferences(
  secret: SecretIdentity,
  definition: ExternalSecretDefinition,
): { references: string[]; undetermined: string[] } {
  const references = remoteKeys(definition)
    .filter(({ key }) => namesSecret(key, secret))
    .map(({ path }) => path);
  const undetermined: string[] = [];
  for (const { path, find } of findBlocks(definition)) {
    const verdict = findMatches(find, secret);
    if (verdict === true) references.push(path);
    else if (typeof verdict === 'string') undetermined.push(`${path}: ${verdict}`);
  }
  return { references, undetermined };
}

function matchExternalSecret(
  secret: SecretIdentity,
  definition: ExternalSecretDefinition,
  result: SecretWriters,
): void {
  const { references, undetermined } = specReferences(secret, definition);
  const manager = definition.managedBy === undefined ? undefined : cesKey(definition, result);
  const key: ObjectKey = {
    apiVersion: definition.object.apiVersion ?? '',
    kind: 'ExternalSecret',
    namespace: definition.namespace,
    name: definition.name,
  };
  // A ClusterExternalSecret's own finds are reported once, on it, not once per namespace.
  if (definition.specPath === 'spec') {
    for (const reason of undetermined) result.undetermined.push({ ...key, reason });
  }
  if (references.length === 0) return;
  const use: ExternalSecretUse = { ...key, references, targetSecret: targetSecretName(definition) };
  const caveat = refreshCaveat(definition);
  if (caveat !== undefined) use.refreshCaveat = caveat;
  if (manager !== undefined) use.managedBy = manager;
  result.externalSecrets.push(use);
}

/** The key of the ClusterExternalSecret managing a definition, when it is among the listed objects. */
function cesKey(definition: ExternalSecretDefinition, result: SecretWriters): ObjectKey | undefined {
  if (definition.specPath !== 'spec') return keyOf(definition.object);
  const name = definition.managedBy;
  const known = result.clusterExternalSecrets.find((use) => use.name === name);
  return known === undefined
    ? { apiVersion: '', kind: 'ClusterExternalSecret', namespace: '', name: name ?? '' }
    : keyFrom(known);
}

function matchClusterExternalSecrets(
  secret: SecretIdentity,
  objects: readonly KubeObject[],
  result: SecretWriters,
): void {
  const namespaces = objects.filter((object) => object.kind === 'Namespace');
  for (const object of objects) {
    if (!isExternalSecretsKind(object, 'ClusterExternalSecret') || !isNamed(object)) continue;
    const key = keyOf(object);
    const definition: ExternalSecretDefinition = {
      namespace: '',
      name: managedExternalSecretName(object),
      object,
      spec: field(object, 'spec', 'externalSecretSpec'),
      specPath: 'spec.externalSecretSpec',
    };
    const { references, undetermined } = specReferences(secret, definition);
    for (const reason of undetermined) result.undetermined.push({ ...key, reason });
    if (references.length === 0) continue;
    const targets = clusterExternalSecretTargets(object, namespaces.length > 0 ? namespaces : undefined);
    result.clusterExternalSecrets.push({
      ...key,
      references,
      externalSecretName: definition.name,
      namespaces: targets.namespaces,
      forceSyncAnnotation: CLUSTER_FORCE_SYNC_ANNOTATION,
    });
  }
}

/**
 * ESO's `find` for AWS Secrets Manager: `name.regexp` on the secret name, `tags` (all must match),
 * `path` as a name prefix; the conditions given must all hold. True, false, or why it could not be
 * decided.
 */
function findMatches(find: Record<string, unknown>, secret: SecretIdentity): boolean | string {
  const conditions: (boolean | string)[] = [];
  const regexpSource = field(find, 'name', 'regexp');
  if (typeof regexpSource === 'string') {
    const pattern = compileClusterPattern(regexpSource);
    conditions.push(
      pattern.ok
        ? pattern.search(secret.name)
        : `name regexp ${quotePattern(regexpSource)} was not evaluated: ${pattern.reason}; check by hand whether it matches the secret`,
    );
  }
  const tags = field(find, 'tags');
  if (typeof tags === 'object' && tags !== null && !Array.isArray(tags)) {
    conditions.push(
      secret.tags === undefined
        ? 'tag filter not evaluated: the secret tags are unknown'
        : Object.entries(tags).every(([name, value]) => secret.tags?.[name] === value),
    );
  }
  if (typeof find.path === 'string') conditions.push(secret.name.startsWith(find.path));
  if (conditions.length === 0 || conditions.includes(false)) return false;
  return conditions.find((condition) => typeof condition === 'string') ?? true;
}

// ---------------------------------------------------------------- SecretProviderClass

function matchSecretProviderClass(secret: SecretIdentity, object: KubeObject, result: SecretWriters): void {
  const key = keyOf(object);
  const parsed = providerObjects(object);
  if (typeof parsed === 'string') {
    result.undetermined.push({ ...key, reason: `spec.parameters.objects: ${parsed}` });
    return;
  }
  const references: string[] = [];
  const mountedNames = new Set<string>();
  parsed.forEach((item, index) => {
    const path = `spec.parameters.objects[${index}]`;
    const matched = [
      ...(isSecretsManagerObject(item) && namesSecret(item.objectName, secret) ? [`${path}.objectName`] : []),
      ...failoverNames(item).flatMap((failover) =>
        namesSecret(failover.name, secret) ? [`${path}.failoverObject[${failover.index}].objectName`] : [],
      ),
    ];
    if (matched.length === 0) return;
    references.push(...matched);
    for (const name of mountedFileNames(item)) mountedNames.add(name);
  });
  if (references.length === 0) return;
  result.secretProviderClasses.push({
    ...key,
    references,
    syncedSecrets: syncedSecretNames(object, mountedNames),
  });
}

// ---------------------------------------------------------------- helpers

/** The key of an object as listed: cluster-scoped kinds have namespace `''`, others default to `default`. */
export function keyOf(object: KubeObject): ObjectKey {
  const namespace = object.metadata.namespace;
  return {
    apiVersion: object.apiVersion ?? '',
    kind: object.kind,
    namespace:
      typeof namespace === 'string' && namespace !== ''
        ? namespace
        : object.kind === 'ClusterExternalSecret'
          ? ''
          : 'default',
    name: object.metadata.name,
  };
}

export function keyFrom(use: ObjectKey): ObjectKey {
  return { apiVersion: use.apiVersion, kind: use.kind, namespace: use.namespace, name: use.name };
}

function addSecret(result: SecretWriters, use: KubernetesSecretUse): void {
  if (
    !result.kubernetesSecrets.some((known) => known.namespace === use.namespace && known.name === use.name)
  ) {
    result.kubernetesSecrets.push(use);
  }
}
