import { parse } from 'yaml';
import type { PostureCheck } from '../check.ts';
import { containersOf, podTemplates, record } from '../pod-templates.ts';
import { clusterSubject, makeResult, type Subject, show, skipResult } from '../results.ts';
import type { ClusterSnapshot } from '../snapshot.ts';
import { addonNamed, eksCluster, eksClusterSubject, strings } from './aws-support.ts';

/** DaemonSets of CNIs / policy engines that enforce NetworkPolicy by themselves. */
const ENFORCING_DAEMONSETS = new Set(['calico-node', 'cilium']);

/**
 * `configurationValues` is a string holding JSON or YAML (the CLI example is YAML); JSON is YAML, so
 * one YAML parse reads both. `enableNetworkPolicy` is a string-with-boolean-format ("true") in the
 * add-on schema; a real boolean is accepted too. Unparseable text counts as "not enabled".
 */
export function vpcCniNetworkPolicyEnabled(configurationValues: unknown): boolean {
  if (typeof configurationValues !== 'string' || configurationValues.trim() === '') return false;
  let parsed: unknown;
  try {
    parsed = parse(configurationValues);
  } catch {
    return false;
  }
  const value = record(parsed)?.enableNetworkPolicy;
  return value === true || (typeof value === 'string' && value.trim().toLowerCase() === 'true');
}

/** Evidence of an enforcing CNI among the DaemonSets: Calico, Cilium, or a self-managed VPC CNI agent. */
function enforcingDaemonSet(snapshot: ClusterSnapshot): string | undefined {
  for (const template of podTemplates(snapshot)) {
    if (template.workload.kind !== 'DaemonSet') continue;
    const name = template.workload.metadata.name;
    if (ENFORCING_DAEMONSETS.has(name)) return `DaemonSet ${template.namespace}/${name}`;
    const agent = containersOf(template).find(
      (entry) =>
        entry.name === 'aws-network-policy-agent' &&
        strings(entry.container.args).includes('--enable-network-policy=true'),
    );
    if (agent !== undefined) return `DaemonSet ${template.namespace}/${name} (${agent.path}.args)`;
  }
  return undefined;
}

export const networkPolicyEnforcementCheck: PostureCheck = {
  id: 'KP-009',
  title: 'Network policy enforcement enabled (VPC CNI, Calico or Cilium)',
  severity: 'high',
  category: 'aws',
  core: true,
  cis: ['4.3.1', '5.4.4'],
  reads: ['eks:addons'],
  remediation:
    'aws eks update-addon --cluster-name <cluster> --addon-name vpc-cni --configuration-values \'{"enableNetworkPolicy":"true"}\' (vpc-cni >= v1.14), or install Calico / Cilium in policy mode.',
  evaluate(snapshot) {
    const cluster = eksCluster(snapshot);
    const subject: Subject =
      cluster === undefined ? clusterSubject(snapshot) : eksClusterSubject(cluster, snapshot);
    const vpcCni = addonNamed(snapshot, 'vpc-cni');
    const values = vpcCni?.configurationValues;
    const evidence: Record<string, string> = {
      'addon[vpc-cni].configurationValues': vpcCni === undefined ? '(add-on not installed)' : show(values),
    };
    if (vpcCni !== undefined && vpcCniNetworkPolicyEnabled(values)) {
      return [
        makeResult(
          this,
          'pass',
          subject,
          'the vpc-cni add-on enforces NetworkPolicy (enableNetworkPolicy "true")',
          evidence,
        ),
      ];
    }
    const daemonSet = enforcingDaemonSet(snapshot);
    if (daemonSet !== undefined) {
      evidence.daemonSet = daemonSet;
      return [makeResult(this, 'pass', subject, `NetworkPolicy is enforced by ${daemonSet}`, evidence)];
    }
    const workloadsMissing = snapshot.unavailable.workloads;
    if (workloadsMissing !== undefined) {
      return [
        skipResult(
          this,
          snapshot,
          `vpc-cni does not enforce NetworkPolicy and DaemonSets could not be read for Calico/Cilium: ${workloadsMissing}`,
        ),
      ];
    }
    const why =
      vpcCni === undefined
        ? 'the vpc-cni add-on is not installed as an EKS add-on'
        : values === undefined
          ? 'addon vpc-cni has no configurationValues (default install: enableNetworkPolicy off)'
          : `addon vpc-cni configurationValues do not set enableNetworkPolicy "true" (found ${show(values)})`;
    return [
      makeResult(
        this,
        'fail',
        subject,
        `${why}, and no Calico or Cilium DaemonSet runs: NetworkPolicies are accepted but not enforced`,
        evidence,
      ),
    ];
  },
};
