import { BASELINE_CAPABILITIES } from '../posture/checks/kp-068-baseline-capabilities.ts';
import { RESTRICTED_VOLUME_TYPES } from '../posture/checks/kp-073-volume-types.ts';
import { SAFE_SYSCTLS } from '../posture/checks/kp-077-sysctls.ts';

/**
 * The posture checks that can be enforced at admission, each as CEL that mirrors the check's own
 * code (core/posture/checks/, pod-templates.ts) exactly: the same containers (containers,
 * initContainers, ephemeralContainers), the same pod-level vs container-level precedence, the same
 * Windows exemptions. The expressions read the variables every generated policy declares
 * (POD_VARIABLES): `variables.podSpec`, `variables.podMeta` (the pod's metadata: annotations) and
 * `variables.containers`, whatever the kind (Pod or a workload controller's pod template).
 *
 * Objects reach admission as the API server decodes them, so a field is either absent or of its
 * schema's type: `has()` guards absence, and no expression needs a type test except where the check
 * itself tests one (KP-084/KP-086 skip a container whose image is not a string).
 *
 * Some checks cannot be enforced exactly: they are in NOT_EXPRESSIBLE with the reason.
 */

export interface CheckPolicy {
  checkId: string;
  /** Pod Security Standards controls the check implements (their names in the PSS document). */
  pssControls: readonly string[];
  /** One CEL expression that is true when the object passes the check. */
  expression: string;
  /** Extra variables the expression reads, after POD_VARIABLES. */
  variables?: readonly { name: string; expression: string }[];
}

/** Kinds a policy applies to, and where each keeps its pod spec. */
export const POD_KINDS = [
  { group: '', resource: 'pods', kind: 'Pod' },
  { group: '', resource: 'replicationcontrollers', kind: 'ReplicationController' },
  { group: 'apps', resource: 'deployments', kind: 'Deployment' },
  { group: 'apps', resource: 'statefulsets', kind: 'StatefulSet' },
  { group: 'apps', resource: 'daemonsets', kind: 'DaemonSet' },
  { group: 'apps', resource: 'replicasets', kind: 'ReplicaSet' },
  { group: 'batch', resource: 'jobs', kind: 'Job' },
  { group: 'batch', resource: 'cronjobs', kind: 'CronJob' },
] as const;

/**
 * The pod template of any of POD_KINDS: `spec` for a Pod, `spec.jobTemplate.spec.template` for a
 * CronJob, `spec.template` otherwise. `dyn(object)`: one policy serves eight kinds, so fields are
 * selected dynamically (a Pod has no `spec.template`); the API server's type checker then has
 * nothing to warn about. A missing template reads as `{}` (pod-templates.ts skips it: no result).
 */
const TEMPLATE =
  "object.kind == 'Pod' ? (has(dyn(object).spec) ? {'spec': dyn(object).spec, 'metadata': has(dyn(object).metadata) ? dyn(object).metadata : dyn({})} : {})" +
  " : object.kind == 'CronJob'" +
  ' ? (has(dyn(object).spec.jobTemplate) && has(dyn(object).spec.jobTemplate.spec) && has(dyn(object).spec.jobTemplate.spec.template) ? dyn(object).spec.jobTemplate.spec.template : {})' +
  ' : (has(dyn(object).spec.template) ? dyn(object).spec.template : {})';

export const POD_VARIABLES: readonly { name: string; expression: string }[] = [
  { name: 'template', expression: TEMPLATE },
  {
    name: 'podSpec',
    expression: 'has(variables.template.spec) ? variables.template.spec : dyn({})',
  },
  {
    name: 'podMeta',
    expression: 'has(variables.template.metadata) ? variables.template.metadata : dyn({})',
  },
  {
    name: 'containers',
    expression:
      '(has(variables.podSpec.containers) ? variables.podSpec.containers : [])' +
      ' + (has(variables.podSpec.initContainers) ? variables.podSpec.initContainers : [])' +
      ' + (has(variables.podSpec.ephemeralContainers) ? variables.podSpec.ephemeralContainers : [])',
  },
  {
    name: 'windows',
    expression:
      "has(variables.podSpec.os) && has(variables.podSpec.os.name) && variables.podSpec.os.name == 'windows'",
  },
];

/** Whether the object has a pod spec at all: a workload without one gets no result from the checks. */
export const HAS_POD_SPEC = 'has(variables.template.spec)';

/** A CEL string literal (single-quoted, `\\` and `'` escaped). */
export function celString(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

function quoted(values: Iterable<unknown>): string {
  return `[${[...values].map((v) => celString(String(v))).join(', ')}]`;
}

/** `has(root.a) && has(root.a.b) …` for a dotted path under root. */
function present(root: string, path: string): string {
  const parts = path.split('.');
  return parts.map((_, i) => `has(${root}.${parts.slice(0, i + 1).join('.')})`).join(' && ');
}

/** `root.path == value`, false when a step is absent. */
function equals(root: string, path: string, value: string): string {
  return `(${present(root, path)} && ${root}.${path} == ${value})`;
}

const SC = 'securityContext';

/** The image name without its digest (`name[:tag]`), bound to `n` for `body`. */
function withName(image: string, body: string): string {
  return `[${image}.contains('@') ? ${image}.substring(0, ${image}.indexOf('@')) : ${image}].all(n, ${body})`;
}

/** core/posture/checks/kp-084: a non-empty digest pins; else a tag other than '' and 'latest'. */
const IMAGE_PINNED =
  "(c.image.indexOf('@') >= 0 && c.image.substring(c.image.indexOf('@') + 1) != '') || " +
  withName(
    'c.image',
    "n.lastIndexOf(':') > n.lastIndexOf('/') && !(n.substring(n.lastIndexOf(':') + 1) in ['', 'latest'])",
  );

/**
 * core/posture/images.ts isApproved: `registry/repository` (docker.io and library/ filled in as
 * parseImage does) equals an approved prefix or starts with it and `/`.
 */
export function approvedExpression(prefixes: readonly string[]): string {
  const first = "p.substring(0, p.indexOf('/'))";
  const qualified =
    `p.indexOf('/') >= 0 && (${first}.contains('.') || ${first}.contains(':') || ${first} == 'localhost')` +
    " ? p : 'docker.io/' + (p.contains('/') ? p : 'library/' + p)";
  return withName(
    'c.image',
    `[n.lastIndexOf(':') > n.lastIndexOf('/') ? n.substring(0, n.lastIndexOf(':')) : n].all(p, [${qualified}].all(q, ${quoted(prefixes)}.exists(r, q == r || q.startsWith(r + '/'))))`,
  );
}

/** Approved-registry prefixes as isApproved compares them: trailing slashes dropped, empty ones ignored. */
export function normalizedPrefixes(prefixes: readonly string[]): string[] {
  return [...new Set(prefixes.map((p) => p.replace(/\/+$/, '')).filter((p) => p !== ''))];
}

const CONTAINERS = 'variables.containers';
const POD = 'variables.podSpec';

const HANDLERS = [
  'livenessProbe',
  'readinessProbe',
  'startupProbe',
  'lifecycle.postStart',
  'lifecycle.preStop',
];

const SELINUX_TYPES = ['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t'];

function seLinuxAllowed(root: string): string {
  const options = `${root}.${SC}.seLinuxOptions`;
  const has = present(root, `${SC}.seLinuxOptions`);
  return (
    `!(${has}) || ((!has(${options}.type) || ${options}.type in ${quoted(SELINUX_TYPES)})` +
    ` && (!has(${options}.user) || ${options}.user == '') && (!has(${options}.role) || ${options}.role == ''))`
  );
}

export const CHECK_POLICIES: readonly CheckPolicy[] = [
  {
    checkId: 'KP-060',
    pssControls: ['Privileged Containers'],
    expression: `!${CONTAINERS}.exists(c, ${equals('c', `${SC}.privileged`, 'true')})`,
  },
  {
    checkId: 'KP-061',
    pssControls: ['Host Namespaces'],
    expression: `!${equals(POD, 'hostPID', 'true')}`,
  },
  {
    checkId: 'KP-062',
    pssControls: ['Host Namespaces'],
    expression: `!${equals(POD, 'hostIPC', 'true')}`,
  },
  {
    checkId: 'KP-063',
    pssControls: ['Host Namespaces'],
    expression: `!${equals(POD, 'hostNetwork', 'true')}`,
  },
  {
    checkId: 'KP-064',
    pssControls: ['Privilege Escalation'],
    expression: `variables.windows || ${CONTAINERS}.all(c, ${equals('c', `${SC}.allowPrivilegeEscalation`, 'false')})`,
  },
  {
    checkId: 'KP-065',
    pssControls: ['HostPath Volumes'],
    expression: `!has(${POD}.volumes) || !${POD}.volumes.exists(v, has(v.hostPath))`,
  },
  {
    checkId: 'KP-067',
    pssControls: ['Host Ports'],
    expression: `!${CONTAINERS}.exists(c, has(c.ports) && c.ports.exists(p, has(p.hostPort) && p.hostPort != 0))`,
  },
  {
    checkId: 'KP-068',
    pssControls: ['Capabilities'],
    expression: `${CONTAINERS}.all(c, !(${present('c', `${SC}.capabilities.add`)}) || c.${SC}.capabilities.add.all(a, a in ${quoted([...BASELINE_CAPABILITIES].sort())}))`,
  },
  {
    checkId: 'KP-069',
    pssControls: ['Capabilities'],
    expression:
      `variables.windows || ${CONTAINERS}.all(c, ${present('c', `${SC}.capabilities.drop`)} && 'ALL' in c.${SC}.capabilities.drop` +
      ` && (!has(c.${SC}.capabilities.add) || c.${SC}.capabilities.add.all(a, a == 'NET_BIND_SERVICE')))`,
  },
  {
    checkId: 'KP-070',
    pssControls: ['Running as Non-root', 'Running as Non-root user'],
    variables: [{ name: 'podNonRoot', expression: equals(POD, `${SC}.runAsNonRoot`, 'true') }],
    expression:
      `!${equals(POD, `${SC}.runAsNonRoot`, 'false')} && !${equals(POD, `${SC}.runAsUser`, '0')}` +
      ` && ${CONTAINERS}.all(c, (${present('c', `${SC}.runAsNonRoot`)}` +
      ` ? (c.${SC}.runAsNonRoot == true || (c.${SC}.runAsNonRoot != false && variables.podNonRoot))` +
      ` : variables.podNonRoot) && !${equals('c', `${SC}.runAsUser`, '0')})`,
  },
  {
    checkId: 'KP-071',
    pssControls: ['Seccomp'],
    variables: [{ name: 'podSeccomp', expression: `${present(POD, `${SC}.seccompProfile.type`)}` }],
    expression:
      `(!variables.podSeccomp || ${POD}.${SC}.seccompProfile.type in ['RuntimeDefault', 'Localhost'])` +
      ` && (!has(variables.podMeta.annotations) || !variables.podMeta.annotations.exists(k, (k == 'seccomp.security.alpha.kubernetes.io/pod' || k.startsWith('container.seccomp.security.alpha.kubernetes.io/')) && variables.podMeta.annotations[k] == 'unconfined'))` +
      ` && ${CONTAINERS}.all(c, ${present('c', `${SC}.seccompProfile.type`)}` +
      ` ? c.${SC}.seccompProfile.type in ['RuntimeDefault', 'Localhost']` +
      ' : (variables.podSeccomp || variables.windows))',
  },
  {
    checkId: 'KP-072',
    pssControls: [],
    expression: `${CONTAINERS}.all(c, ${equals('c', `${SC}.readOnlyRootFilesystem`, 'true')})`,
  },
  {
    checkId: 'KP-073',
    pssControls: ['Volume Types'],
    expression: `!has(${POD}.volumes) || ${POD}.volumes.all(v, v.all(k, k == 'name' || k in ${quoted([...RESTRICTED_VOLUME_TYPES].sort())}))`,
  },
  {
    checkId: 'KP-074',
    pssControls: ['AppArmor'],
    expression:
      `!(${present(POD, `${SC}.appArmorProfile.type`)} && !(${POD}.${SC}.appArmorProfile.type in ['RuntimeDefault', 'Localhost']))` +
      ` && ${CONTAINERS}.all(c, !(${present('c', `${SC}.appArmorProfile.type`)}) || c.${SC}.appArmorProfile.type in ['RuntimeDefault', 'Localhost'])` +
      ` && (!has(variables.podMeta.annotations) || variables.podMeta.annotations.all(k, !k.startsWith('container.apparmor.security.beta.kubernetes.io/') || variables.podMeta.annotations[k] == 'runtime/default' || variables.podMeta.annotations[k].startsWith('localhost/')))`,
  },
  {
    checkId: 'KP-075',
    pssControls: ['SELinux'],
    expression: `(${seLinuxAllowed(POD)}) && ${CONTAINERS}.all(c, ${seLinuxAllowed('c')})`,
  },
  {
    checkId: 'KP-076',
    pssControls: ['/proc Mount Type'],
    expression: `${CONTAINERS}.all(c, !(${present('c', `${SC}.procMount`)}) || c.${SC}.procMount == 'Default')`,
  },
  {
    checkId: 'KP-077',
    pssControls: ['Sysctls'],
    expression: `!(${present(POD, `${SC}.sysctls`)}) || ${POD}.${SC}.sysctls.all(s, has(s.name) && s.name in ${quoted(SAFE_SYSCTLS)})`,
  },
  {
    checkId: 'KP-078',
    pssControls: ['HostProcess'],
    expression:
      `!${equals(POD, `${SC}.windowsOptions.hostProcess`, 'true')}` +
      ` && !${CONTAINERS}.exists(c, ${equals('c', `${SC}.windowsOptions.hostProcess`, 'true')})`,
  },
  {
    checkId: 'KP-079',
    pssControls: ['Host Probes / Lifecycle Hooks'],
    expression: `${CONTAINERS}.all(c, ${HANDLERS.flatMap((handler) =>
      ['httpGet', 'tcpSocket'].map(
        (action) => `!(${present('c', `${handler}.${action}.host`)} && c.${handler}.${action}.host != '')`,
      ),
    ).join(' && ')})`,
  },
  {
    checkId: 'KP-084',
    pssControls: [],
    expression: `${CONTAINERS}.all(c, !has(c.image) || type(c.image) != string || ${IMAGE_PINNED})`,
  },
  {
    checkId: 'KP-092',
    pssControls: [],
    // core/posture/checks/kp-092-image-digest.ts: `@sha256:` and 64 lower-case hex digits at the end.
    expression: `${CONTAINERS}.all(c, !has(c.image) || type(c.image) != string || c.image.matches('@sha256:[0-9a-f]{64}$'))`,
  },
];

/** KP-086 needs the approved registries: its policy is built from them. */
export function approvedRegistriesPolicy(prefixes: readonly string[]): CheckPolicy {
  return {
    checkId: 'KP-086',
    pssControls: [],
    expression: `${CONTAINERS}.all(c, !has(c.image) || type(c.image) != string || ${approvedExpression(normalizedPrefixes(prefixes))})`,
  };
}

/** Checks of the policy-as-code scope that no admission policy can mirror exactly. */
export const NOT_EXPRESSIBLE: Readonly<Record<string, string>> = {
  'KP-066':
    'the check normalises hostPath paths (`..`, `.`, `//`) before comparing them with the runtime sockets; CEL has no fold to resolve `..`, so a policy would not match the check exactly — KP-065 (no hostPath) covers it',
};

/** The checks whose failures `kubeguard policy generate` turns into policies (KP-060…KP-079, KP-084, KP-086, KP-092). */
export function inScope(checkId: string): boolean {
  const number = Number(/^KP-(\d{3})$/.exec(checkId)?.[1] ?? Number.NaN);
  return (number >= 60 && number <= 79) || number === 84 || number === 86 || number === 92;
}
