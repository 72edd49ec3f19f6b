import { arrayField, type KubeObject, stringField } from './kube-objects.ts';

/**
 * Whether the cluster visibly enforces NetworkPolicy. Without an enforcing CNI the API server
 * accepts policies and nothing happens, so an isolation built on them must say so.
 *
 * Evidence, from the DaemonSets of kube-system and calico-system:
 * - Amazon VPC CNI: the `aws-node` DaemonSet's node agent container (`aws-eks-nodeagent`, earlier
 *   `aws-network-policy-agent`) runs with `--enable-network-policy=true` (or the env variable
 *   ENABLE_NETWORK_POLICY=true). The policy controller that feeds the agent runs in the EKS control
 *   plane and is switched on by the add-on's `enableNetworkPolicy` setting, an AWS-side fact the
 *   caller may pass in as a hint (from EKS DescribeAddon).
 * - Calico: a `calico-node` DaemonSet. Cilium: a `cilium` DaemonSet.
 */

/** What the AWS side says about the VPC CNI add-on's `enableNetworkPolicy`. */
export type EnforcementHint = 'enabled' | 'disabled' | 'unknown';

export interface EnforcementReport {
  visible: boolean;
  /** The engines seen, e.g. `Amazon VPC CNI network policy agent`, `Calico`. */
  engines: string[];
  summary: string;
}

/** Namespaces whose DaemonSets are read for enforcement evidence. */
export const ENFORCEMENT_NAMESPACES = ['kube-system', 'calico-system'] as const;

const NODE_AGENT_CONTAINERS = new Set(['aws-eks-nodeagent', 'aws-network-policy-agent']);

export function detectEnforcement(
  daemonSets: readonly KubeObject[],
  hint: EnforcementHint = 'unknown',
): EnforcementReport {
  const names = new Set(daemonSets.map((ds) => ds.metadata.name));
  const engines: string[] = [];
  const notes: string[] = [];
  if (names.has('calico-node')) engines.push('Calico');
  if (names.has('cilium')) engines.push('Cilium');
  const awsNode = daemonSets.find((ds) => ds.metadata.name === 'aws-node');
  const agentOn = awsNode !== undefined && vpcCniAgentEnabled(awsNode);
  if (agentOn && hint !== 'disabled') engines.push('Amazon VPC CNI network policy agent');
  if (agentOn && hint === 'disabled') {
    notes.push(
      'the aws-node agent flag is on but the VPC CNI add-on has network policy off, so no controller feeds it',
    );
  }
  if (!agentOn && hint === 'enabled') engines.push('Amazon VPC CNI (add-on enableNetworkPolicy)');
  if (engines.length > 0) {
    return { visible: true, engines, summary: `NetworkPolicy enforced by ${engines.join(', ')}` };
  }
  const seen = awsNode
    ? 'aws-node runs without its network policy agent enabled'
    : 'no aws-node network policy agent';
  return {
    visible: false,
    engines,
    summary: `no NetworkPolicy enforcement is visible (${[seen, 'no calico-node', 'no cilium', ...notes].join('; ')}): policies may be accepted but not enforced — enable network policy on the VPC CNI add-on (enableNetworkPolicy: "true") or isolate the node`,
  };
}

function vpcCniAgentEnabled(awsNode: KubeObject): boolean {
  const containers = arrayField(awsNode, 'spec', 'template', 'spec', 'containers');
  return containers.some((container) => {
    const name = stringField(container, 'name') ?? '';
    const flagOn = arrayField(container, 'args').some(
      (arg) => typeof arg === 'string' && /^--?enable-network-policy=true$/i.test(arg),
    );
    const envOn = arrayField(container, 'env').some(
      (env) =>
        stringField(env, 'name') === 'ENABLE_NETWORK_POLICY' &&
        (stringField(env, 'value') ?? '').toLowerCase() === 'true',
    );
    return (NODE_AGENT_CONTAINERS.has(name) && flagOn) || envOn;
  });
}
