import { arrayField, controllerOf, field, type KubeObject, stringField } from '../model/kube-object.ts';
import { compileSelector } from '../netpol/labels.ts';
import type { LabelSelector } from '../netpol/types.ts';

/**
 * External Secrets Operator objects (external-secrets.io, served as `v1` from ESO 0.17 and as
 * `v1beta1` before), read the way the operator reads them: an ExternalSecret's spec, and a
 * ClusterExternalSecret's `spec.externalSecretSpec`, which the operator copies into an
 * ExternalSecret named `spec.externalSecretName` (default: the ClusterExternalSecret's name) in
 * every namespace its `namespaces` and `namespaceSelector(s)` select. Shared by posture (which
 * secrets the cluster references), rotation (who consumes a secret) and forensics.
 */

export const EXTERNAL_SECRETS_GROUP = 'external-secrets.io';

/**
 * The ClusterExternalSecret annotation whose change the operator copies onto every ExternalSecret
 * it manages, making each fetch again (ESO docs, "ClusterExternalSecret"): `kubectl annotate ces
 * my-ces external-secrets.io/force-sync=$(date +%s) --overwrite`. An annotation put on such a managed
 * ExternalSecret directly is overwritten by the next reconcile of its ClusterExternalSecret.
 */
export const CLUSTER_FORCE_SYNC_ANNOTATION = 'external-secrets.io/force-sync';

/** Objects from a hostile cluster or a manifest may lack a name: such an object names nothing. */
export function isNamed(object: KubeObject): boolean {
  return typeof object.metadata?.name === 'string' && object.metadata.name !== '';
}

/** Whether the object is this External Secrets Operator kind (any served version). */
export function isExternalSecretsKind(object: KubeObject, kind: string): boolean {
  return object.kind === kind && (object.apiVersion ?? '').startsWith(`${EXTERNAL_SECRETS_GROUP}/`);
}

/** An ExternalSecret as the operator runs it, wherever its spec is written. */
export interface ExternalSecretDefinition {
  /** The namespace and name of the ExternalSecret (created by the operator for a ClusterExternalSecret). */
  namespace: string;
  name: string;
  /** The object the spec was read from: the ExternalSecret itself, or its ClusterExternalSecret. */
  object: KubeObject;
  /** The ExternalSecretSpec. */
  spec: unknown;
  /** Where `spec` is inside `object`: `spec` or `spec.externalSecretSpec`. */
  specPath: string;
  /** The ClusterExternalSecret that manages this ExternalSecret, if one does. */
  managedBy?: string;
}

/** Why the namespaces of a ClusterExternalSecret could not all be worked out. */
export interface TargetProblem {
  object: KubeObject;
  reason: string;
}

export interface ClusterExternalSecretTargets {
  /** Namespaces it has (status.provisionedNamespaces) or will have (its selectors) an ExternalSecret in. */
  namespaces: string[];
  /** Set when the selectors could not be evaluated (no Namespace objects, a malformed selector). */
  incomplete?: string;
}

/** The name of the ExternalSecrets a ClusterExternalSecret creates. */
export function managedExternalSecretName(clusterExternalSecret: KubeObject): string {
  const name = stringField(clusterExternalSecret, 'spec', 'externalSecretName');
  return name !== undefined && name !== '' ? name : clusterExternalSecret.metadata.name;
}

/**
 * The namespaces a ClusterExternalSecret writes into: those its status says it provisioned, and
 * those its selectors select among `namespaces` (the listed Namespace objects; `undefined` when
 * namespaces were not listed). `namespaces` (names) and every selector are ORed, as the operator's
 * GetTargetNamespaces does; an empty selector selects every namespace, a null one none.
 */
export function clusterExternalSecretTargets(
  clusterExternalSecret: KubeObject,
  namespaces: readonly KubeObject[] | undefined,
): ClusterExternalSecretTargets {
  const targets = new Set(
    arrayField(clusterExternalSecret, 'status', 'provisionedNamespaces').filter(
      (name): name is string => typeof name === 'string' && name !== '',
    ),
  );
  const byName = arrayField(clusterExternalSecret, 'spec', 'namespaces').filter(
    (name): name is string => typeof name === 'string' && name !== '',
  );
  const selectors = [
    field(clusterExternalSecret, 'spec', 'namespaceSelector'),
    ...arrayField(clusterExternalSecret, 'spec', 'namespaceSelectors'),
  ].filter((selector) => selector !== undefined && selector !== null);
  if (namespaces === undefined) {
    for (const name of byName) targets.add(name);
    const result: ClusterExternalSecretTargets = { namespaces: [...targets].sort() };
    if (selectors.length > 0) {
      result.incomplete = 'its namespace selectors were not evaluated: namespaces were not listed';
    }
    return result;
  }
  const problems: string[] = [];
  const matchers = selectors.flatMap((selector, index) => {
    if (typeof selector !== 'object' || Array.isArray(selector)) {
      problems.push(`namespace selector ${index} is not a label selector`);
      return [];
    }
    try {
      return [compileSelector(selector as LabelSelector, `namespace selector ${index}`)];
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
      return [];
    }
  });
  for (const namespace of namespaces) {
    const name = namespace.metadata.name;
    const labels = { ...(namespace.metadata.labels ?? {}), 'kubernetes.io/metadata.name': name };
    if (byName.includes(name) || matchers.some((matches) => matches(labels))) targets.add(name);
  }
  const result: ClusterExternalSecretTargets = { namespaces: [...targets].sort() };
  if (problems.length > 0) result.incomplete = problems.join('; ');
  return result;
}

/**
 * Every ExternalSecret the operator runs, from the listed objects: each ExternalSecret, plus, for
 * each ClusterExternalSecret, one per target namespace where its ExternalSecret was not itself
 * listed (a namespace-scoped listing, or one not created yet). ClusterExternalSecrets whose
 * targets are not fully known are reported.
 */
export function externalSecretDefinitions(objects: readonly KubeObject[]): {
  definitions: ExternalSecretDefinition[];
  problems: TargetProblem[];
} {
  const definitions: ExternalSecretDefinition[] = [];
  const problems: TargetProblem[] = [];
  const listed = new Set<string>();
  const namespaceObjects = objects.filter((object) => object.kind === 'Namespace');
  for (const object of objects) {
    if (!isExternalSecretsKind(object, 'ExternalSecret') || !isNamed(object)) continue;
    const namespace = namespaceOf(object);
    listed.add(`${namespace}\u0000${object.metadata.name}`);
    const definition: ExternalSecretDefinition = {
      namespace,
      name: object.metadata.name,
      object,
      spec: field(object, 'spec'),
      specPath: 'spec',
    };
    const managedBy = managingClusterExternalSecret(object);
    if (managedBy !== undefined) definition.managedBy = managedBy;
    definitions.push(definition);
  }
  for (const object of objects) {
    if (!isExternalSecretsKind(object, 'ClusterExternalSecret') || !isNamed(object)) continue;
    const targets = clusterExternalSecretTargets(
      object,
      namespaceObjects.length > 0 ? namespaceObjects : undefined,
    );
    if (targets.incomplete !== undefined) problems.push({ object, reason: targets.incomplete });
    const name = managedExternalSecretName(object);
    for (const namespace of targets.namespaces) {
      if (listed.has(`${namespace}\u0000${name}`)) continue;
      definitions.push({
        namespace,
        name,
        object,
        spec: field(object, 'spec', 'externalSecretSpec'),
        specPath: 'spec.externalSecretSpec',
        managedBy: object.metadata.name,
      });
    }
  }
  return { definitions, problems };
}

/** The ClusterExternalSecret controlling an ExternalSecret (the operator sets itself as controller). */
function managingClusterExternalSecret(externalSecret: KubeObject): string | undefined {
  const owner = controllerOf(externalSecret);
  return owner?.kind === 'ClusterExternalSecret' ? owner.name : undefined;
}

/** `spec.data[i].remoteRef.key` and `spec.dataFrom[i].extract.key`, with their paths under `specPath`. */
export function remoteKeys(definition: ExternalSecretDefinition): { path: string; key: unknown }[] {
  const keys: { path: string; key: unknown }[] = [];
  arrayField(definition.spec, 'data').forEach((entry, index) => {
    keys.push({
      path: `${definition.specPath}.data[${index}].remoteRef.key`,
      key: field(entry, 'remoteRef', 'key'),
    });
  });
  arrayField(definition.spec, 'dataFrom').forEach((entry, index) => {
    const key = field(entry, 'extract', 'key');
    if (key !== undefined) keys.push({ path: `${definition.specPath}.dataFrom[${index}].extract.key`, key });
  });
  return keys;
}

/** `spec.dataFrom[i].find` blocks, with their paths. */
export function findBlocks(
  definition: ExternalSecretDefinition,
): { path: string; find: Record<string, unknown> }[] {
  return arrayField(definition.spec, 'dataFrom').flatMap((entry, index) => {
    const find = field(entry, 'find');
    return typeof find === 'object' && find !== null && !Array.isArray(find)
      ? [{ path: `${definition.specPath}.dataFrom[${index}].find`, find: find as Record<string, unknown> }]
      : [];
  });
}

/** The Kubernetes Secret the ExternalSecret writes: `target.name`, defaulting to its own name. */
export function targetSecretName(definition: ExternalSecretDefinition): string {
  const name = stringField(definition.spec, 'target', 'name');
  return name !== undefined && name !== '' ? name : definition.name;
}

/** The store the ExternalSecret reads from: `secretStoreRef` (kind defaults to SecretStore). */
export function storeRefOf(definition: ExternalSecretDefinition): {
  kind: 'SecretStore' | 'ClusterSecretStore';
  name: string;
} {
  return {
    kind:
      field(definition.spec, 'secretStoreRef', 'kind') === 'ClusterSecretStore'
        ? 'ClusterSecretStore'
        : 'SecretStore',
    name: String(field(definition.spec, 'secretStoreRef', 'name') ?? ''),
  };
}

/** Set when a force-sync will probably not make the operator fetch again. */
export function refreshCaveat(definition: ExternalSecretDefinition): string | undefined {
  const interval = field(definition.spec, 'refreshInterval');
  const policy = field(definition.spec, 'refreshPolicy');
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

function namespaceOf(object: KubeObject): string {
  const namespace = object.metadata.namespace;
  return typeof namespace === 'string' && namespace !== '' ? namespace : 'default';
}
