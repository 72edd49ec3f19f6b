import type { KubeguardConfig } from '../../config/schema.ts';
import { clusterName, expectPositionals, invalid, namespaceName } from './args.ts';
import type { CommandSpec } from './command.ts';

const USAGE = '/k8s audit [CLUSTER] [--namespace NS]';

/**
 * The cluster an audit is for: the one named (a configured cluster), else the only configured one;
 * with several configured and none named, the error lists them.
 */
export function auditCluster(named: string | undefined, config: KubeguardConfig, usage = USAGE): string {
  const configured = config.clusters.map((cluster) => cluster.name);
  if (named !== undefined) return clusterName(named, configured);
  const [only, ...others] = configured;
  if (only !== undefined && others.length === 0) return only;
  throw invalid(`name the cluster to audit; configured clusters: ${configured.join(', ')}. Usage: ${usage}`);
}

export const auditCommand: CommandSpec = {
  name: 'audit',
  usage: USAGE,
  summary: 'Run a posture audit of a cluster now: progress as each collector finishes, then the summary.',
  details:
    'Without `CLUSTER`, audits the only configured cluster. `--namespace` keeps the results about one namespace (and the checks that could not run); the cluster is still read whole. One audit per cluster runs at a time. Example: `/k8s audit prod-cluster --namespace payments`.',
  // Reading the posture is a viewer's right; it changes nothing in the cluster (decision in docs/decisions.md).
  role: 'viewer',
  purpose: 'run posture audits',
  flags: ['namespace'],
  plan(args, context) {
    const [named] = expectPositionals(args, ['CLUSTER'], USAGE, 1);
    const cluster = auditCluster(named, context.config);
    const namespaceFlag = args.flags.get('namespace');
    const namespace = namespaceFlag === undefined ? undefined : namespaceName(namespaceFlag);
    return {
      type: 'enqueue',
      body: { kind: 'audit', args: { cluster, ...(namespace === undefined ? {} : { namespace }) } },
      scope: { cluster },
      target: namespace === undefined ? `cluster ${cluster}` : `namespace ${namespace} on ${cluster}`,
      working: `Starting a posture audit of ${cluster}${namespace === undefined ? '' : ` (namespace ${namespace})`}…`,
    };
  },
};
