import { parse } from 'yaml';
import { dig, list, record } from '../posture/pod-templates.ts';

/**
 * Who uses a Secrets Manager secret inside a cluster, worked out from listed objects (pure).
 *
 * The chain is: ExternalSecrets (external-secrets.io v1beta1 and v1) that fetch the secret, and
 * SecretProviderClasses (Secrets Store CSI driver, AWS provider) that mount it → the Kubernetes
 * Secrets they write → the pods and pod templates that read those Secrets (env, envFrom, secret and
 * projected volumes) or mount the SecretProviderClass through a CSI volume → the controllers that
 * can restart them (Deployment, StatefulSet, DaemonSet). Everything is scoped by namespace, as the
 * references themselves are. Objects from the cluster are untrusted: every field is read
 * defensively, and a reference kubeguard cannot evaluate safely is reported, never guessed.
 */

export interface SecretIdentity {
  name: string;
  arn: string;
  /** Needed to evaluate ExternalSecret `find.tags`; without them such finds are undetermined. */
  tags?: Readonly<Record<string, string>>;
}

/** A Kubernetes object as listed (list items must have `kind` restored). */
export interface ListedObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

export interface ObjectKey {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

export interface ExternalSecretUse extends ObjectKey {
  /** Where the secret is named, e.g. `spec.data[0].remoteRef.key`. */
  references: string[];
  /** The Kubernetes Secret it writes (`spec.target.name`, defaulting to the ExternalSecret's name). */
  targetSecret: string;
  /** Set when a force-sync annotation will probably not make the operator fetch again. */
  refreshCaveat?: string;
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

export type ReferenceVia = 'env' | 'envFrom' | 'secret volume' | 'projected volume' | 'csi volume';

export interface WorkloadReference {
  via: ReferenceVia;
  /** The Kubernetes Secret read (env, envFrom, secret and projected volumes). */
  secret?: string;
  /** The SecretProviderClass mounted (csi volume). */
  secretProviderClass?: string;
  /** Where, in the object the reference was found on. */
  path: string;
  /** The object the reference was found on, when it is not the workload itself (one of its pods). */
  foundOn?: ObjectKey;
}

export type RestartableKind = 'Deployment' | 'StatefulSet' | 'DaemonSet';

export interface WorkloadUse extends ObjectKey {
  kind: RestartableKind;
  references: WorkloadReference[];
  /** Set when a pod-template change will not restart the pods by itself. */
  restartCaveat?: string;
}

export interface UnrestartableUse extends ObjectKey {
  references: WorkloadReference[];
  reason: string;
}

export interface UndeterminedUse extends ObjectKey {
  reason: string;
}

export interface SecretConsumers {
  externalSecrets: ExternalSecretUse[];
  secretProviderClasses: SecretProviderClassUse[];
  kubernetesSecrets: KubernetesSecretUse[];
  workloads: WorkloadUse[];
  unrestartable: UnrestartableUse[];
  undetermined: UndeterminedUse[];
}

const EXTERNAL_SECRET_GROUP = 'external-secrets.io/';
const SECRET_PROVIDER_CLASS_GROUP = 'secrets-store.csi.x-k8s.io/';
const CSI_DRIVER = 'secrets-store.csi.k8s.io';
const RESTARTABLE_KINDS: readonly RestartableKind[] = ['Deployment', 'StatefulSet', 'DaemonSet'];
const CONTAINER_GROUPS = ['initContainers', 'containers', 'ephemeralContainers'] as const;
/** ExternalSecret `find.name.regexp` longer than this is not evaluated (see `safeRegExp`). */
const MAX_FIND_REGEXP_LENGTH = 256;
const MAX_OBJECTS_ALIASES = 50;

export function findSecretConsumers(
  secret: SecretIdentity,
  objects: readonly ListedObject[],
): SecretConsumers {
  const result: SecretConsumers = {
    externalSecrets: [],
    secretProviderClasses: [],
    kubernetesSecrets: [],
    workloads: [],
    unrestartable: [],
    undetermined: [],
  };
  for (const object of objects) {
    const key = keyOf(object);
    if (key === undefined) continue;
    if (key.kind === 'ExternalSecret' && key.apiVersion.startsWith(EXTERNAL_SECRET_GROUP)) {
      matchExternalSecret(secret, object, key, result);
    } else if (key.kind === 'SecretProviderClass' && key.apiVersion.startsWith(SECRET_PROVIDER_CLASS_GROUP)) {
      matchSecretProviderClass(secret, object, key, result);
    }
  }
  for (const use of result.externalSecrets) {
    addSecret(result, { namespace: use.namespace, name: use.targetSecret, writtenBy: keyFrom(use) });
  }
  for (const use of result.secretProviderClasses) {
    for (const name of use.syncedSecrets) {
      addSecret(result, { namespace: use.namespace, name, writtenBy: keyFrom(use) });
    }
  }
  collectWorkloads(objects, result);
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

// ---------------------------------------------------------------- ExternalSecret

function matchExternalSecret(
  secret: SecretIdentity,
  object: ListedObject,
  key: ObjectKey,
  result: SecretConsumers,
): void {
  const references: string[] = [];
  list(dig(object, 'spec', 'data')).forEach((entry, index) => {
    if (namesSecret(dig(entry, 'remoteRef', 'key'), secret))
      references.push(`spec.data[${index}].remoteRef.key`);
  });
  list(dig(object, 'spec', 'dataFrom')).forEach((entry, index) => {
    if (namesSecret(dig(entry, 'extract', 'key'), secret)) {
      references.push(`spec.dataFrom[${index}].extract.key`);
    }
    const find = record(dig(entry, 'find'));
    if (find === undefined) return;
    const verdict = findMatches(find, secret);
    if (verdict === true) references.push(`spec.dataFrom[${index}].find`);
    else if (typeof verdict === 'string') {
      result.undetermined.push({ ...key, reason: `spec.dataFrom[${index}].find: ${verdict}` });
    }
  });
  if (references.length === 0) return;
  const targetName = dig(object, 'spec', 'target', 'name');
  const use: ExternalSecretUse = {
    ...key,
    references,
    targetSecret: typeof targetName === 'string' && targetName !== '' ? targetName : key.name,
  };
  const caveat = refreshCaveat(object);
  if (caveat !== undefined) use.refreshCaveat = caveat;
  result.externalSecrets.push(use);
}

/**
 * ESO's `find` for AWS Secrets Manager: `name.regexp` on the secret name, `tags` (all must match),
 * `path` as a name prefix; the conditions given must all hold. True, false, or why it could not be
 * decided.
 */
function findMatches(find: Record<string, unknown>, secret: SecretIdentity): boolean | string {
  const conditions: (boolean | string)[] = [];
  const regexpSource = dig(find, 'name', 'regexp');
  if (typeof regexpSource === 'string') {
    const regexp = safeRegExp(regexpSource);
    conditions.push(
      regexp === undefined
        ? `name regexp ${JSON.stringify(regexpSource.slice(0, 80))} was not evaluated (invalid, too long or ` +
            'with nested quantifiers); check by hand whether it matches the secret'
        : regexp.test(secret.name),
    );
  }
  const tags = record(find.tags);
  if (tags !== undefined) {
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

/**
 * The pattern comes from a cluster object, so it could be written to backtrack for ever; patterns
 * with a quantified group that itself contains a quantifier are not run, nor over-long ones.
 */
function safeRegExp(source: string): RegExp | undefined {
  if (source.length > MAX_FIND_REGEXP_LENGTH) return undefined;
  if (/\([^()]*[+*{][^()]*\)\s*[+*{]/.test(source)) return undefined;
  try {
    return new RegExp(source);
  } catch {
    return undefined;
  }
}

function refreshCaveat(object: ListedObject): string | undefined {
  const interval = dig(object, 'spec', 'refreshInterval');
  const policy = dig(object, 'spec', 'refreshPolicy');
  if (policy === 'CreatedOnce') {
    return 'refreshPolicy CreatedOnce: the operator never fetches again; delete the target Secret to have it recreated';
  }
  if (interval === 0 || (typeof interval === 'string' && /^0+(s|m|h)?$/.test(interval.trim()))) {
    return (
      'refreshInterval 0: the operator fetched once and may ignore the force-sync annotation; ' +
      'if the target Secret keeps the old value, delete it to have it recreated'
    );
  }
  return undefined;
}

// ---------------------------------------------------------------- SecretProviderClass

function matchSecretProviderClass(
  secret: SecretIdentity,
  object: ListedObject,
  key: ObjectKey,
  result: SecretConsumers,
): void {
  if (dig(object, 'spec', 'provider') !== 'aws') return;
  const parsed = providerObjects(dig(object, 'spec', 'parameters', 'objects'));
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
      ...list(item.failoverObject).flatMap((failover, failoverIndex) =>
        namesSecret(dig(failover, 'objectName'), secret)
          ? [`${path}.failoverObject[${failoverIndex}].objectName`]
          : [],
      ),
    ];
    if (matched.length === 0) return;
    references.push(...matched);
    for (const name of mountedFileNames(item)) mountedNames.add(name);
  });
  if (references.length === 0) return;
  const syncedSecrets = list(dig(object, 'spec', 'secretObjects')).flatMap((entry) => {
    const name = dig(entry, 'secretName');
    const fromOurs = list(dig(entry, 'data')).some((data) =>
      mountedNames.has(String(dig(data, 'objectName'))),
    );
    return typeof name === 'string' && name !== '' && fromOurs ? [name] : [];
  });
  result.secretProviderClasses.push({ ...key, references, syncedSecrets: [...new Set(syncedSecrets)] });
}

/** `parameters.objects` is a YAML string in v1 (a list in some older manifests). */
function providerObjects(value: unknown): Record<string, unknown>[] | string {
  let items: unknown = value;
  if (typeof value === 'string') {
    try {
      items = parse(value, { maxAliasCount: MAX_OBJECTS_ALIASES });
    } catch (error) {
      return `not valid YAML (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
    }
  }
  if (!Array.isArray(items)) return 'expected a YAML list of objects';
  return items.map((item) => record(item) ?? {});
}

function isSecretsManagerObject(item: Record<string, unknown>): boolean {
  const type = item.objectType;
  if (type === 'secretsmanager') return true;
  // The AWS provider infers the type from an ARN when objectType is left out.
  return type === undefined && typeof item.objectName === 'string' && item.objectName.startsWith('arn:')
    ? item.objectName.split(':')[2] === 'secretsmanager'
    : false;
}

/** The file names an object is mounted under, which `secretObjects[].data[].objectName` refers to. */
function mountedFileNames(item: Record<string, unknown>): string[] {
  const names: string[] = [];
  if (typeof item.objectAlias === 'string') names.push(item.objectAlias);
  else if (typeof item.objectName === 'string')
    names.push(item.objectName, item.objectName.replaceAll('/', '_'));
  for (const entry of list(item.jmesPath)) {
    const alias = dig(entry, 'objectAlias');
    if (typeof alias === 'string') names.push(alias);
  }
  return names;
}

// ---------------------------------------------------------------- workloads

interface PodSpecAt {
  spec: Record<string, unknown>;
  path: string;
}

function collectWorkloads(objects: readonly ListedObject[], result: SecretConsumers): void {
  const secrets = new Set(result.kubernetesSecrets.map((use) => scoped(use.namespace, use.name)));
  const providerClasses = new Set(result.secretProviderClasses.map((use) => scoped(use.namespace, use.name)));
  if (secrets.size === 0 && providerClasses.size === 0) return;
  const index = indexByKind(objects);
  const workloads = new Map<string, WorkloadUse>();
  const addWorkload = (key: ObjectKey & { kind: RestartableKind }, references: WorkloadReference[]) => {
    const id = objectId(key);
    const existing = workloads.get(id);
    if (existing === undefined) {
      const use: WorkloadUse = { ...key, references };
      const caveat = restartCaveat(index.get(id));
      if (caveat !== undefined) use.restartCaveat = caveat;
      workloads.set(id, use);
    } else existing.references.push(...references);
  };
  for (const object of objects) {
    const key = keyOf(object);
    if (key === undefined) continue;
    const podSpec = podSpecOf(object, key.kind);
    if (podSpec === undefined) continue;
    const references = referencesIn(podSpec, key.namespace, secrets, providerClasses);
    if (references.length === 0) continue;
    if (isRestartable(key)) addWorkload(key, references);
    else if (key.kind === 'Pod') attributePod(object, key, references, index, addWorkload, result);
  }
  result.workloads = [...workloads.values()].map(preferTemplateReferences);
}

/** A workload seen in its own pod template needs no second listing of what its pods show. */
function preferTemplateReferences(use: WorkloadUse): WorkloadUse {
  const own = use.references.filter((reference) => reference.foundOn === undefined);
  return own.length === 0 ? use : { ...use, references: own };
}

function podSpecOf(object: ListedObject, kind: string): PodSpecAt | undefined {
  if (kind === 'Pod') {
    const phase = dig(object, 'status', 'phase');
    if (phase === 'Succeeded' || phase === 'Failed') return undefined;
    const spec = record(dig(object, 'spec'));
    return spec === undefined ? undefined : { spec, path: 'spec' };
  }
  if (!(RESTARTABLE_KINDS as readonly string[]).includes(kind)) return undefined;
  const spec = record(dig(object, 'spec', 'template', 'spec'));
  return spec === undefined ? undefined : { spec, path: 'spec.template.spec' };
}

function referencesIn(
  { spec, path }: PodSpecAt,
  namespace: string,
  secrets: ReadonlySet<string>,
  providerClasses: ReadonlySet<string>,
): WorkloadReference[] {
  const references: WorkloadReference[] = [];
  const readsSecret = (name: unknown): name is string =>
    typeof name === 'string' && secrets.has(scoped(namespace, name));
  for (const group of CONTAINER_GROUPS) {
    list(spec[group]).forEach((container, containerIndex) => {
      const at = `${path}.${group}[${containerIndex}]`;
      list(dig(container, 'env')).forEach((env, envIndex) => {
        const name = dig(env, 'valueFrom', 'secretKeyRef', 'name');
        if (readsSecret(name)) references.push({ via: 'env', secret: name, path: `${at}.env[${envIndex}]` });
      });
      list(dig(container, 'envFrom')).forEach((envFrom, envFromIndex) => {
        const name = dig(envFrom, 'secretRef', 'name');
        if (readsSecret(name)) {
          references.push({ via: 'envFrom', secret: name, path: `${at}.envFrom[${envFromIndex}]` });
        }
      });
    });
  }
  list(spec.volumes).forEach((volume, volumeIndex) => {
    const at = `${path}.volumes[${volumeIndex}]`;
    const secretName = dig(volume, 'secret', 'secretName');
    if (readsSecret(secretName)) references.push({ via: 'secret volume', secret: secretName, path: at });
    list(dig(volume, 'projected', 'sources')).forEach((source, sourceIndex) => {
      const name = dig(source, 'secret', 'name');
      if (readsSecret(name)) {
        references.push({
          via: 'projected volume',
          secret: name,
          path: `${at}.projected.sources[${sourceIndex}]`,
        });
      }
    });
    const providerClass = dig(volume, 'csi', 'volumeAttributes', 'secretProviderClass');
    if (
      dig(volume, 'csi', 'driver') === CSI_DRIVER &&
      typeof providerClass === 'string' &&
      providerClasses.has(scoped(namespace, providerClass))
    ) {
      references.push({ via: 'csi volume', secretProviderClass: providerClass, path: at });
    }
  });
  return references;
}

/** A pod counts for its controller; a pod kubeguard cannot restart through one is reported. */
function attributePod(
  pod: ListedObject,
  key: ObjectKey,
  podReferences: WorkloadReference[],
  index: ReadonlyMap<string, ListedObject>,
  addWorkload: (key: ObjectKey & { kind: RestartableKind }, references: WorkloadReference[]) => void,
  result: SecretConsumers,
): void {
  const references = podReferences.map((reference) => ({ ...reference, foundOn: key }));
  const owner = controllerOf(pod);
  const unrestartable = (reason: string) => result.unrestartable.push({ ...key, references, reason });
  if (owner === undefined) {
    unrestartable('naked pod (no controller): cannot restart: delete/recreate manually');
    return;
  }
  if (owner.kind === 'ReplicaSet') {
    const replicaSet = index.get(
      objectId({ kind: 'ReplicaSet', namespace: key.namespace, name: owner.name }),
    );
    const deployment = replicaSet === undefined ? undefined : controllerOf(replicaSet);
    if (deployment?.kind === 'Deployment') {
      addWorkload(
        { apiVersion: 'apps/v1', kind: 'Deployment', namespace: key.namespace, name: deployment.name },
        references,
      );
    } else {
      unrestartable(
        replicaSet === undefined
          ? `owned by ReplicaSet ${owner.name}, which was not found: restart its controller by hand`
          : `owned by ReplicaSet ${owner.name} without a Deployment: delete its pods to restart them`,
      );
    }
    return;
  }
  if ((RESTARTABLE_KINDS as readonly string[]).includes(owner.kind)) {
    addWorkload(
      {
        apiVersion: 'apps/v1',
        kind: owner.kind as RestartableKind,
        namespace: key.namespace,
        name: owner.name,
      },
      references,
    );
    return;
  }
  unrestartable(
    owner.kind === 'Job'
      ? `owned by Job ${owner.name}: a running Job is not restarted; its next run reads the new value`
      : `owned by ${owner.kind} ${owner.name}: restart it with that controller's own tooling`,
  );
}

/** Why patching the pod template will not (yet) replace the pods. */
function restartCaveat(workload: ListedObject | undefined): string | undefined {
  if (workload === undefined) return undefined;
  if (dig(workload, 'spec', 'paused') === true) {
    return 'the Deployment is paused: pods restart only after `kubectl rollout resume`';
  }
  if (dig(workload, 'spec', 'updateStrategy', 'type') === 'OnDelete') {
    return 'updateStrategy OnDelete: the controller replaces pods only when they are deleted';
  }
  return undefined;
}

function controllerOf(object: ListedObject): { kind: string; name: string } | undefined {
  const owners = list(dig(object, 'metadata', 'ownerReferences'))
    .map(record)
    .filter((owner) => owner !== undefined);
  const owner = owners.find((o) => o.controller === true) ?? (owners.length === 1 ? owners[0] : undefined);
  if (owner === undefined || typeof owner.kind !== 'string' || typeof owner.name !== 'string')
    return undefined;
  return { kind: owner.kind, name: owner.name };
}

// ---------------------------------------------------------------- helpers

function keyOf(object: ListedObject): ObjectKey | undefined {
  const name = dig(object, 'metadata', 'name');
  if (typeof object.kind !== 'string' || typeof name !== 'string' || name === '') return undefined;
  const namespace = dig(object, 'metadata', 'namespace');
  return {
    apiVersion: typeof object.apiVersion === 'string' ? object.apiVersion : '',
    kind: object.kind,
    namespace: typeof namespace === 'string' && namespace !== '' ? namespace : 'default',
    name,
  };
}

function keyFrom(use: ObjectKey): ObjectKey {
  return { apiVersion: use.apiVersion, kind: use.kind, namespace: use.namespace, name: use.name };
}

function isRestartable(key: ObjectKey): key is ObjectKey & { kind: RestartableKind } {
  return (RESTARTABLE_KINDS as readonly string[]).includes(key.kind) && key.apiVersion === 'apps/v1';
}

function indexByKind(objects: readonly ListedObject[]): Map<string, ListedObject> {
  const index = new Map<string, ListedObject>();
  for (const object of objects) {
    const key = keyOf(object);
    if (key !== undefined) index.set(objectId(key), object);
  }
  return index;
}

function addSecret(result: SecretConsumers, use: KubernetesSecretUse): void {
  if (
    !result.kubernetesSecrets.some((known) => known.namespace === use.namespace && known.name === use.name)
  ) {
    result.kubernetesSecrets.push(use);
  }
}

function objectId(key: { kind: string; namespace: string; name: string }): string {
  return `${key.kind}\u0000${key.namespace}\u0000${key.name}`;
}

function scoped(namespace: string, name: string): string {
  return `${namespace}\u0000${name}`;
}
