import { z } from 'zod';
import { KubeguardError } from '../errors.ts';
import { groupOf, servedVersions } from '../model/kube-kinds.ts';
import { type IsolationReport, isolationReport } from '../netpol/isolation.ts';
import { clusterFromObjects, toPod } from '../netpol/objects.ts';
import type { UnevaluatedPolicy } from '../netpol/types.ts';
import type { RbacRule } from './action.ts';
import { arrayField, field, KUBE_KINDS, type KubeKind, type KubeObject } from './kube-objects.ts';
import type { KubeReader } from './ports.ts';

/**
 * The quarantine as it lives on the cluster: a label that selects the pod, a NetworkPolicy that
 * denies everything to that label, and an annotation on the pod recording what kubeguard changed,
 * so that release, or a retry after a failure midway, can finish from the cluster alone.
 */

export const QUARANTINE_LABEL = 'kubeguard.io/quarantine';
/** JSON `QuarantineState` on the pod, written in the same patch that adds the label. */
export const QUARANTINE_ANNOTATION = 'kubeguard.io/quarantine';
/** JSON record left on the pod by release: which quarantine ended, when, by whom. */
export const RELEASED_ANNOTATION = 'kubeguard.io/quarantine-released';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';

/** Lower-case, so it can be part of the policy's DNS name as well as a label value. */
const QUARANTINE_ID = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

export function requireQuarantineId(id: string): string {
  if (QUARANTINE_ID.test(id)) return id;
  throw new KubeguardError(
    'INVALID_ARGUMENT',
    `quarantine id ${JSON.stringify(id)} is not usable; use 1 to 40 lower-case letters, digits or '-', starting and ending with a letter or digit (e.g. the action request id)`,
    { details: { quarantineId: id } },
  );
}

export function quarantinePolicyName(id: string): string {
  return `kubeguard-quarantine-${id}`;
}

const stateSchema = z.strictObject({
  id: z.string().regex(QUARANTINE_ID),
  policy: z.string().min(1).max(253),
  detachedLabels: z.record(z.string(), z.string()),
  evidence: z.string().optional(),
  at: z.string(),
  by: z.string(),
});

export type QuarantineState = z.infer<typeof stateSchema>;

export function serializeState(state: QuarantineState): string {
  return JSON.stringify(state);
}

/**
 * The recorded quarantine of a pod. Anyone allowed to patch the pod can edit the annotation, so it is
 * validated: a malformed record is an error naming the value, never a guess.
 */
export function quarantineStateOf(pod: KubeObject): QuarantineState | undefined {
  const raw = pod.metadata.annotations?.[QUARANTINE_ANNOTATION];
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  const result = stateSchema.safeParse(parsed);
  if (!result.success) {
    throw new KubeguardError(
      'PRECONDITION_FAILED',
      `pod ${pod.metadata.namespace}/${pod.metadata.name} has a ${QUARANTINE_ANNOTATION} annotation kubeguard cannot read (${raw.slice(0, 200)}); inspect the pod and remove the annotation and the ${QUARANTINE_LABEL} label by hand`,
      { details: { annotation: raw.slice(0, 200) } },
    );
  }
  return result.data;
}

export interface QuarantinePolicyOptions {
  namespace: string;
  id: string;
  pod: string;
  /** Allow egress to the cluster DNS (kube-dns pods in kube-system, port 53). */
  allowDns: boolean;
}

/** Deny all ingress and egress of the pods carrying the quarantine label (policyTypes both, no rules). */
export function quarantinePolicy(options: QuarantinePolicyOptions): KubeObject {
  const dns = {
    egress: [
      {
        to: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
            podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
          },
        ],
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      },
    ],
  };
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name: quarantinePolicyName(options.id),
      namespace: options.namespace,
      labels: { [MANAGED_BY_LABEL]: 'kubeguard', [QUARANTINE_LABEL]: options.id },
      annotations: { 'kubeguard.io/quarantined-pod': options.pod },
    },
    spec: {
      podSelector: { matchLabels: { [QUARANTINE_LABEL]: options.id } },
      policyTypes: ['Ingress', 'Egress'],
      ...(options.allowDns ? dns : {}),
    },
  };
}

/** Policy objects besides the namespace's NetworkPolicies, and the policy kinds that could not be read. */
export interface OtherPolicies {
  /** AdminNetworkPolicies, the BaselineAdminNetworkPolicy, Calico and Cilium policies, as read. */
  objects: readonly KubeObject[];
  /** Kinds the reader was refused (403): any object of them may apply, so isolation is not verified. */
  unreadable: readonly UnevaluatedPolicy[];
}

/**
 * What the policies that apply to the pod still allow for the pod as given (for a plan: the pod as it
 * will be; for verification: as it is), evaluated by core/netpol: the namespace's NetworkPolicies,
 * AdminNetworkPolicies and the baseline. A policy that may apply but cannot be evaluated (it does not
 * parse, it is a Calico or Cilium policy, or its kind could not be read) makes the report "not
 * verified", never "complete".
 */
export function evaluateIsolation(
  pod: KubeObject,
  policies: readonly KubeObject[],
  namespaces: readonly KubeObject[],
  pods: readonly KubeObject[],
  others: OtherPolicies = { objects: [], unreadable: [] },
): IsolationReport {
  const target = toPod(pod);
  if ('problem' in target) {
    throw new KubeguardError(
      'INVALID_ARGUMENT',
      `pod ${pod.metadata.name} cannot be evaluated: its object is malformed (${target.problem.reason})`,
    );
  }
  const namespace = target.value.namespace;
  const { cluster } = clusterFromObjects(
    [
      ...namespaces,
      // The pod's own object stands for it: the listed copy may predate a relabelling.
      ...pods.filter((p) => !(p.metadata.name === pod.metadata.name && p.metadata.namespace === namespace)),
      pod,
      ...policies.filter((p) => (p.metadata.namespace ?? namespace) === namespace),
      ...others.objects,
    ].map(withPolicyKind),
    { unreadable: others.unreadable },
  );
  return isolationReport(target.value, cluster);
}

/**
 * The policy kinds read beside the namespace's NetworkPolicies, under the kind name their objects
 * carry (Calico's namespaced kind is also called NetworkPolicy; the kind table keys it apart).
 */
const OTHER_POLICY_KINDS: readonly { kind: KubeKind; objectKind: string }[] = [
  { kind: 'AdminNetworkPolicy', objectKind: 'AdminNetworkPolicy' },
  { kind: 'BaselineAdminNetworkPolicy', objectKind: 'BaselineAdminNetworkPolicy' },
  { kind: 'CalicoNetworkPolicy', objectKind: 'NetworkPolicy' },
  { kind: 'CalicoGlobalNetworkPolicy', objectKind: 'GlobalNetworkPolicy' },
  { kind: 'CiliumNetworkPolicy', objectKind: 'CiliumNetworkPolicy' },
  { kind: 'CiliumClusterwideNetworkPolicy', objectKind: 'CiliumClusterwideNetworkPolicy' },
];

/**
 * The RBAC list permissions `readOtherPolicies` needs (an action declares them in its metadata): every
 * group a kind may be served from, since the reader falls back to Calico's CRD group.
 */
export const OTHER_POLICY_RBAC: readonly RbacRule[] = OTHER_POLICY_KINDS.flatMap(({ kind }) =>
  servedVersions(kind).map((apiVersion) => ({
    apiGroup: groupOf(apiVersion),
    resource: KUBE_KINDS[kind].resource,
    verbs: ['list'] as const,
  })),
);

/**
 * Reads the admin, baseline, Calico and Cilium policies that may apply to a pod of `namespace`
 * (namespaced kinds in that namespace only). A kind whose CRD is not installed (404) has none; a kind
 * the identity may not list (403) is unreadable, which makes an isolation "not verified".
 */
export async function readOtherPolicies(kube: KubeReader, namespace: string): Promise<OtherPolicies> {
  const reads = await Promise.all(
    OTHER_POLICY_KINDS.map(async ({ kind, objectKind }) => {
      const info = KUBE_KINDS[kind];
      try {
        const objects = await kube.list({ kind, ...(info.namespaced ? { namespace } : {}) });
        return { objects: objects.map((object) => ({ ...object, kind: objectKind })) };
      } catch (error) {
        if (error instanceof KubeguardError && error.code === 'NOT_FOUND') return { objects: [] };
        if (!(error instanceof KubeguardError && error.code === 'FORBIDDEN')) throw error;
        const unreadable: UnevaluatedPolicy = {
          kind: objectKind,
          apiVersion: info.apiVersion,
          ...(info.namespaced ? { namespace } : {}),
          reason: error.message,
        };
        return { objects: [], unreadable };
      }
    }),
  );
  return {
    objects: reads.flatMap((read) => read.objects),
    unreadable: reads.flatMap((read) => ('unreadable' in read && read.unreadable ? [read.unreadable] : [])),
  };
}

/**
 * The pod selectors of the AdminNetworkPolicy Allow rules a report lists, so a reader can list the
 * pods they admit today (`namespaceSelector` `{}` means every namespace).
 */
export function adminPeerSelectors(
  report: IsolationReport,
  others: OtherPolicies,
): { namespaceSelector: unknown; podSelector: unknown }[] {
  const selectors: { namespaceSelector: unknown; podSelector: unknown }[] = [];
  for (const allowance of [...report.ingress.allowances, ...report.egress.allowances]) {
    const policy = others.objects.find(
      (o) => o.kind === 'AdminNetworkPolicy' && `AdminNetworkPolicy/${o.metadata.name}` === allowance.policy,
    );
    const rule = arrayField(policy, 'spec', allowance.direction)[allowance.rule];
    for (const peer of arrayField(rule, allowance.direction === 'ingress' ? 'from' : 'to')) {
      const namespaces = field(peer, 'namespaces');
      const pods = field(peer, 'pods');
      if (namespaces !== undefined) selectors.push({ namespaceSelector: namespaces, podSelector: {} });
      else if (pods !== undefined) {
        selectors.push({
          namespaceSelector: field(pods, 'namespaceSelector'),
          podSelector: field(pods, 'podSelector'),
        });
      }
    }
  }
  return selectors;
}

/** Objects kubeguard built itself (the quarantine policy in a plan) may come without apiVersion. */
function withPolicyKind(object: KubeObject): KubeObject {
  return object.kind === 'NetworkPolicy' && object.apiVersion === undefined
    ? { ...object, apiVersion: 'networking.k8s.io/v1' }
    : object;
}
