import type { IsolationReport } from '../netpol/isolation.ts';
import { compileSelector, describeSelector } from '../netpol/labels.ts';
import type { LabelSelector } from '../netpol/types.ts';
import {
  detectEnforcement,
  ENFORCEMENT_NAMESPACES,
  type EnforcementHint,
  type EnforcementReport,
} from './enforcement.ts';
import { arrayField, field, type KubeObject, labelsOf } from './kube-objects.ts';
import type { KubeReader, ListQuery } from './ports.ts';
import {
  adminPeerSelectors,
  evaluateIsolation,
  type OtherPolicies,
  QUARANTINE_LABEL,
  readOtherPolicies,
} from './quarantine.ts';
import {
  budgetsCounting,
  controllerSelectorKeys,
  type OwnerChain,
  ownerChain,
  serviceSelectorKeys,
  servicesSelecting,
} from './workload.ts';

/**
 * What isolate-pod reads before planning, and the isolation a pod gets under the policies of its
 * namespace. Every read is scoped to what the plan needs: the pod's namespace for Services,
 * PodDisruptionBudgets and NetworkPolicies, and for the pods that still reach it only the
 * namespaces and labels the remaining allowances name (never every pod of the cluster).
 */

export interface IsolationFacts {
  chain: OwnerChain;
  services: KubeObject[];
  budgets: KubeObject[];
  enforcement: EnforcementReport;
  policies: KubeObject[];
  namespaces: KubeObject[];
}

/** Terminated pods have no address: no policy lets them reach anything. */
export const LIVE_PODS = 'status.phase!=Succeeded,status.phase!=Failed';

export async function gatherFacts(
  pod: KubeObject,
  hint: EnforcementHint,
  kube: KubeReader,
): Promise<IsolationFacts> {
  const namespace = pod.metadata.namespace as string;
  const labels = labelsOf(pod);
  const chain = await ownerChain(pod, kube);
  const services = servicesSelecting(await kube.list({ kind: 'Service', namespace }), labels);
  const budgets = budgetsCounting(await kube.list({ kind: 'PodDisruptionBudget', namespace }), labels);
  const daemonSets = (
    await Promise.all(ENFORCEMENT_NAMESPACES.map((ns) => kube.list({ kind: 'DaemonSet', namespace: ns })))
  ).flat();
  return {
    chain,
    services,
    budgets,
    enforcement: detectEnforcement(daemonSets, hint),
    policies: await kube.list({ kind: 'NetworkPolicy', namespace }),
    namespaces: await kube.list({ kind: 'Namespace' }),
  };
}

/** The pod's labels its direct controller and its Services select on (the quarantine label aside). */
export function workloadLabels(pod: KubeObject, facts: IsolationFacts): Record<string, string> {
  const labels = labelsOf(pod);
  const keys = new Set([...controllerSelectorKeys(facts.chain), ...serviceSelectorKeys(facts.services)]);
  keys.delete(QUARANTINE_LABEL);
  return Object.fromEntries(Object.entries(labels).filter(([key]) => keys.has(key)));
}

/**
 * The isolation of `pod` (as given: for a plan, the pod as it will be) under `policies`. First
 * evaluated with no other pod; when rules still allow traffic, the pods those rules' peers can
 * match are listed (namespace by namespace, by the peers' pod selectors) so the report names them.
 */
export async function isolationOf(
  pod: KubeObject,
  policies: readonly KubeObject[],
  namespaces: readonly KubeObject[],
  kube: KubeReader,
): Promise<IsolationReport> {
  // Admin, baseline, Calico and Cilium policies apply beside the namespace's NetworkPolicies.
  const others = await readOtherPolicies(kube, pod.metadata.namespace as string);
  const alone = evaluateIsolation(pod, policies, namespaces, [], others);
  const queries = peerQueries(alone, policies, namespaces, others);
  if (queries.length === 0) return alone;
  const seen = new Map<string, KubeObject>();
  for (const query of queries) {
    for (const peer of await kube.list(query)) {
      seen.set(`${peer.metadata.namespace}/${peer.metadata.name}`, peer);
    }
  }
  return evaluateIsolation(pod, policies, namespaces, [...seen.values()], others);
}

/**
 * The pod lists that cover every peer of the rules that still allow traffic: the policy's
 * namespace for a pod selector alone, the namespaces a namespace selector matches today, every
 * namespace only for an empty namespace selector. Rules allowing "anyone" and IP blocks name no
 * pod, so they need no list.
 */
export function peerQueries(
  report: IsolationReport,
  policies: readonly KubeObject[],
  namespaces: readonly KubeObject[],
  others: OtherPolicies = { objects: [], unreadable: [] },
): ListQuery[] {
  const queries = new Map<string, ListQuery>();
  const add = (namespace: string | undefined, podSelector: unknown) => {
    const labelSelector = selectorText(podSelector);
    if (labelSelector === undefined) return;
    const query: ListQuery = {
      kind: 'Pod',
      ...(namespace === undefined ? {} : { namespace }),
      ...(labelSelector === '' ? {} : { labelSelector }),
      fieldSelector: LIVE_PODS,
    };
    queries.set(JSON.stringify(query), query);
  };
  for (const allowance of [...report.ingress.allowances, ...report.egress.allowances]) {
    const policy = policies.find((p) => `${p.metadata.namespace}/${p.metadata.name}` === allowance.policy);
    if (policy === undefined) continue;
    const list = allowance.direction === 'ingress' ? 'ingress' : 'egress';
    const peersKey = allowance.direction === 'ingress' ? 'from' : 'to';
    const rule = arrayField(policy, 'spec', list)[allowance.rule];
    for (const peer of arrayField(rule, peersKey)) {
      if (field(peer, 'ipBlock') !== undefined && field(peer, 'ipBlock') !== null) continue;
      const namespaceSelector = field(peer, 'namespaceSelector');
      const podSelector = field(peer, 'podSelector') ?? {};
      if (namespaceSelector === undefined || namespaceSelector === null) {
        add(policy.metadata.namespace, podSelector);
      } else if (selectorText(namespaceSelector) === '') {
        add(undefined, podSelector);
      } else {
        for (const namespace of namespacesMatching(namespaceSelector, namespaces))
          add(namespace, podSelector);
      }
    }
  }
  for (const peer of adminPeerSelectors(report, others)) {
    if (selectorText(peer.namespaceSelector) === '') add(undefined, peer.podSelector);
    else
      for (const namespace of namespacesMatching(peer.namespaceSelector, namespaces))
        add(namespace, peer.podSelector);
  }
  return [...queries.values()];
}

/**
 * A LabelSelector as the API's `labelSelector` parameter; `''` selects everything, undefined when
 * the selector is malformed (the API server would not have stored it; evaluation reports it).
 */
function selectorText(selector: unknown): string | undefined {
  if (typeof selector !== 'object' || selector === null) return undefined;
  try {
    compileSelector(selector as LabelSelector, 'peer');
  } catch {
    return undefined;
  }
  return describeSelector(selector as LabelSelector);
}

function namespacesMatching(selector: unknown, namespaces: readonly KubeObject[]): string[] {
  const matches = compileSelector(selector as LabelSelector, 'namespaceSelector');
  return namespaces.filter((ns) => matches(labelsOf(ns))).map((ns) => ns.metadata.name);
}

/** The isolation the plan leads to: the pod without its detached labels, with the quarantine label and policy. */
export function expectedIsolation(
  pod: KubeObject,
  quarantineId: string,
  detached: Record<string, string>,
  policy: KubeObject,
  facts: IsolationFacts,
  kube: KubeReader,
): Promise<IsolationReport> {
  const labels = labelsOf(pod);
  for (const key of Object.keys(detached)) delete labels[key];
  labels[QUARANTINE_LABEL] = quarantineId;
  const after: KubeObject = { ...pod, metadata: { ...pod.metadata, labels } };
  const policies = [...facts.policies.filter((p) => p.metadata.name !== policy.metadata.name), policy];
  return isolationOf(after, policies, facts.namespaces, kube);
}
