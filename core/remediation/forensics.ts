import { createHash } from 'node:crypto';
import { asKubeguardError, KubeguardError } from '../errors.ts';
import { rbacBoundTo } from '../rbac/bound-to.ts';
import { csiSecretProviderClass } from '../secrets/csi.ts';
import { arrayField, describeRef, type KubeObject, stringField } from './kube-objects.ts';
import { StalePlanError } from './plan-guard.ts';
import type { EvidenceBundle, EvidenceFile, EvidenceManifest, KubeReader } from './ports.ts';
import { ownerChain } from './workload.ts';

/**
 * The forensic bundle taken before a pod is quarantined: everything an investigator needs that the
 * quarantine (or the pod's later deletion) could change or lose. Secret and ConfigMap contents are
 * never read: only their names and the keys the pod uses. Values written inline in the spec
 * (`env[].value`, often a password pasted into a manifest or a rotated value copied by hand) are
 * kept as their SHA-256 only — `sha256:<hex>`, enough to tell whether two copies held the same
 * value — in the pod, its owners' pod templates and kubectl's last-applied-configuration.
 */

export const FORENSIC_CAPTURES: readonly string[] = [
  'pod.json: the pod spec and status (inline env values as their SHA-256)',
  'owners.json: its owner chain (ReplicaSet, Deployment, StatefulSet, DaemonSet, Job; inline env values as their SHA-256)',
  'events.json: the events about the pod',
  'logs/<container>.log and logs/<container>.previous.log: every container, current and previous instance',
  'service-account.json and rbac.json: its service account and the RBAC rules bound to it',
  'mounted-names.json: the names (never the values) of the Secrets, ConfigMaps and SecretProviderClasses it uses',
  'node.json: the node it runs on',
  'network-policies.json: the NetworkPolicies of its namespace',
];

/** Logs above this size are cut (from the start), and the cut is recorded. */
export const LOG_LIMIT_BYTES = 10 * 1024 * 1024;

export interface CaptureRequest {
  namespace: string;
  pod: string;
  /** The pod the plan was made for: a pod recreated under the same name since is not captured. */
  uid?: string;
  bundleId: string;
  capturedAt: string;
  capturedBy: string;
}

export async function captureForensics(request: CaptureRequest, kube: KubeReader): Promise<EvidenceBundle> {
  const { namespace } = request;
  const files: EvidenceFile[] = [];
  const missing: EvidenceManifest['missing'] = [];
  const attempt = async (item: string, read: () => Promise<void>) => {
    try {
      await read();
    } catch (error) {
      const { code, message } = asKubeguardError(error);
      missing.push({ item, reason: `${code}: ${message}` });
    }
  };
  const json = (path: string, value: unknown): void => {
    files.push({ path, content: `${JSON.stringify(value, null, 2)}\n`, contentType: 'application/json' });
  };

  // Without the pod itself there is no evidence worth storing: its read failing fails the capture.
  const pod = await kube.get({ kind: 'Pod', namespace, name: request.pod });
  if (request.uid !== undefined && pod.metadata.uid !== request.uid) {
    const ref = describeRef({ kind: 'Pod', namespace, name: request.pod });
    throw new StalePlanError(
      'replaced',
      `${ref} was replaced after the plan (uid ${request.uid} → ${pod.metadata.uid ?? 'none'}); nothing was captured or written: plan the action again to act on the pod that exists now`,
      { details: { object: ref, plannedUid: request.uid, currentUid: pod.metadata.uid } },
    );
  }
  json('pod.json', withoutEnvValues(pod));
  await attempt('owners.json', async () =>
    json('owners.json', withoutEnvValues(await ownerChain(pod, kube))),
  );
  await attempt('events.json', async () => json('events.json', await podEvents(pod, kube)));
  for (const container of containerNames(pod)) {
    await captureLog(request, container, false, files, missing, kube);
    await captureLog(request, container, true, files, missing, kube);
  }
  const serviceAccount = stringField(pod, 'spec', 'serviceAccountName') ?? 'default';
  await attempt('service-account.json', async () =>
    json('service-account.json', await kube.get({ kind: 'ServiceAccount', namespace, name: serviceAccount })),
  );
  await attempt('rbac.json', async () =>
    json('rbac.json', await rbacBoundTo(serviceAccount, namespace, kube)),
  );
  json('mounted-names.json', mountedNames(pod));
  const nodeName = stringField(pod, 'spec', 'nodeName');
  if (nodeName === undefined)
    missing.push({ item: 'node.json', reason: 'the pod is not scheduled on a node' });
  else
    await attempt('node.json', async () =>
      json('node.json', await kube.get({ kind: 'Node', name: nodeName })),
    );
  await attempt('network-policies.json', async () =>
    json('network-policies.json', await kube.list({ kind: 'NetworkPolicy', namespace })),
  );
  return {
    id: request.bundleId,
    files,
    manifest: {
      bundleId: request.bundleId,
      target: {
        kind: 'Pod',
        namespace,
        name: request.pod,
        ...(pod.metadata.uid ? { uid: pod.metadata.uid } : {}),
      },
      capturedAt: request.capturedAt,
      capturedBy: request.capturedBy,
      files: files.map((file) => ({
        path: file.path,
        sha256: sha256Hex(file.content),
        bytes: Buffer.byteLength(file.content, 'utf8'),
      })),
      missing,
    },
  };
}

export function sha256Hex(content: string): string {
  return createHash('sha256').update(content, 'utf8').digest('hex');
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * A copy of `value` in which every `env[].value` (a container's inline environment value, at any
 * depth: pod spec, pod templates) is `sha256:<hex>`, and kubectl's last-applied-configuration
 * annotation, which repeats the spec as applied, gets the same treatment (or is hashed whole when
 * it is not JSON).
 */
export function withoutEnvValues<T>(value: T): T {
  return redact(value) as T;
}

function redact(value: unknown, key?: string): unknown {
  if (Array.isArray(value)) {
    return value.map((item) =>
      key === 'env' && isRecord(item) && typeof item.value === 'string'
        ? { ...item, value: `sha256:${sha256Hex(item.value)}` }
        : redact(item),
    );
  }
  if (!isRecord(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const [field, child] of Object.entries(value)) {
    copy[field] =
      field === LAST_APPLIED && typeof child === 'string' ? redactApplied(child) : redact(child, field);
  }
  return copy;
}

function redactApplied(text: string): string {
  try {
    return JSON.stringify(redact(JSON.parse(text)));
  } catch {
    return `sha256:${sha256Hex(text)}`;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every container that has or had a process: init, regular and ephemeral (debug) containers. */
export function containerNames(pod: KubeObject): string[] {
  return ['initContainers', 'containers', 'ephemeralContainers'].flatMap((list) =>
    arrayField(pod, 'spec', list)
      .map((container) => stringField(container, 'name'))
      .filter((name): name is string => name !== undefined),
  );
}

async function captureLog(
  request: CaptureRequest,
  container: string,
  previous: boolean,
  files: EvidenceFile[],
  missing: EvidenceManifest['missing'],
  kube: KubeReader,
): Promise<void> {
  const path = `logs/${safeFileName(container)}${previous ? '.previous' : ''}.log`;
  try {
    const log = await kube.podLog({ namespace: request.namespace, pod: request.pod, container, previous });
    files.push({ path, content: trimLog(log), contentType: 'text/plain' });
  } catch (error) {
    const normalized = asKubeguardError(error);
    // The API answers 400 when a container has no previous instance: nothing was lost.
    const reason =
      previous && normalized.code === 'INVALID_ARGUMENT'
        ? 'no previous instance (the container has not restarted)'
        : `${normalized.code}: ${normalized.message}`;
    missing.push({ item: path, reason });
  }
}

function trimLog(log: string): string {
  if (Buffer.byteLength(log, 'utf8') <= LOG_LIMIT_BYTES) return log;
  const tail = Buffer.from(log, 'utf8').subarray(-LOG_LIMIT_BYTES).toString('utf8');
  return `[kubeguard: log cut to its last ${LOG_LIMIT_BYTES} bytes]\n${tail}`;
}

function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}

async function podEvents(pod: KubeObject, kube: KubeReader): Promise<KubeObject[]> {
  const selector = [
    'involvedObject.kind=Pod',
    `involvedObject.name=${pod.metadata.name}`,
    ...(pod.metadata.uid ? [`involvedObject.uid=${pod.metadata.uid}`] : []),
  ].join(',');
  return kube.list({
    kind: 'Event',
    fieldSelector: selector,
    ...(pod.metadata.namespace ? { namespace: pod.metadata.namespace } : {}),
  });
}

export interface MountedName {
  name: string;
  /** How the pod uses it: `volume creds`, `env DB_PASSWORD of container app (key password)`. */
  usedBy: string[];
}

/**
 * The Secrets and ConfigMaps the pod refers to, by name and key, never by value, and the
 * SecretProviderClasses it mounts through the Secrets Store CSI driver (when it mounts any).
 */
export function mountedNames(pod: KubeObject): {
  secrets: MountedName[];
  configMaps: MountedName[];
  secretProviderClasses?: MountedName[];
} {
  const secrets = new Map<string, string[]>();
  const configMaps = new Map<string, string[]>();
  const providerClasses = new Map<string, string[]>();
  const use = (into: Map<string, string[]>, name: string | undefined, how: string) => {
    if (name === undefined) return;
    into.set(name, [...(into.get(name) ?? []), how]);
  };
  for (const volume of arrayField(pod, 'spec', 'volumes')) {
    const volumeName = stringField(volume, 'name') ?? '?';
    use(secrets, stringField(volume, 'secret', 'secretName'), `volume ${volumeName}`);
    use(configMaps, stringField(volume, 'configMap', 'name'), `volume ${volumeName}`);
    use(providerClasses, csiSecretProviderClass(volume), `csi volume ${volumeName}`);
    for (const source of arrayField(volume, 'projected', 'sources')) {
      use(secrets, stringField(source, 'secret', 'name'), `projected volume ${volumeName}`);
      use(configMaps, stringField(source, 'configMap', 'name'), `projected volume ${volumeName}`);
    }
  }
  for (const list of ['initContainers', 'containers', 'ephemeralContainers']) {
    for (const container of arrayField(pod, 'spec', list)) {
      const of = `of container ${stringField(container, 'name') ?? '?'}`;
      for (const env of arrayField(container, 'env')) {
        const variable = stringField(env, 'name') ?? '?';
        const secretRef = stringField(env, 'valueFrom', 'secretKeyRef', 'name');
        const configRef = stringField(env, 'valueFrom', 'configMapKeyRef', 'name');
        use(
          secrets,
          secretRef,
          `env ${variable} ${of} (key ${stringField(env, 'valueFrom', 'secretKeyRef', 'key')})`,
        );
        use(
          configMaps,
          configRef,
          `env ${variable} ${of} (key ${stringField(env, 'valueFrom', 'configMapKeyRef', 'key')})`,
        );
      }
      for (const source of arrayField(container, 'envFrom')) {
        use(secrets, stringField(source, 'secretRef', 'name'), `envFrom ${of}`);
        use(configMaps, stringField(source, 'configMapRef', 'name'), `envFrom ${of}`);
      }
    }
  }
  for (const pullSecret of arrayField(pod, 'spec', 'imagePullSecrets')) {
    use(secrets, stringField(pullSecret, 'name'), 'imagePullSecrets');
  }
  const asList = (map: Map<string, string[]>) => [...map].map(([name, usedBy]) => ({ name, usedBy }));
  return {
    secrets: asList(secrets),
    configMaps: asList(configMaps),
    ...(providerClasses.size > 0 ? { secretProviderClasses: asList(providerClasses) } : {}),
  };
}

/** Bundle ids and file paths become S3 keys and directories: plain segments only, no `..`. */
const SAFE_PATH = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

/**
 * Checks that a bundle is storable and that its manifest describes exactly its files, by SHA-256:
 * evidence stores call this before writing anything.
 */
export function verifyBundle(bundle: EvidenceBundle): void {
  const unsafe = [bundle.id, ...bundle.files.map((f) => f.path)].find(
    (path) => !SAFE_PATH.test(path) || path.split('/').some((segment) => segment === '..' || segment === '.'),
  );
  if (unsafe !== undefined) {
    throw new KubeguardError(
      'INVALID_ARGUMENT',
      `evidence path ${JSON.stringify(unsafe)} is not a plain relative path`,
      {
        details: { path: unsafe },
      },
    );
  }
  const listed = new Map(bundle.manifest.files.map((entry) => [entry.path, entry.sha256]));
  const mismatched = bundle.files
    .filter((file) => listed.get(file.path) !== sha256Hex(file.content))
    .map((file) => file.path);
  const unlisted = [...listed.keys()].filter((path) => !bundle.files.some((file) => file.path === path));
  if (mismatched.length > 0 || unlisted.length > 0 || bundle.manifest.bundleId !== bundle.id) {
    throw new KubeguardError(
      'INTERNAL',
      `forensic bundle ${bundle.id} does not match its manifest (content differs: ${mismatched.join(', ') || 'none'}; listed but absent: ${unlisted.join(', ') || 'none'})`,
      { details: { bundleId: bundle.id, mismatched, unlisted } },
    );
  }
}
