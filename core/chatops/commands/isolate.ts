import { commandCluster, planStart, REMEDIATION_PURPOSE, REMEDIATION_ROLE } from '../remediation-ask.ts';
import { expectPositionals, namespacedPod } from './args.ts';
import type { CommandSpec } from './command.ts';

const USAGE = '/k8s isolate NAMESPACE/POD [--cluster C]';

export const isolateCommand: CommandSpec = {
  name: 'isolate',
  usage: USAGE,
  summary: 'Quarantine a pod: shows the dry-run plan, runs it once you confirm with a reason.',
  details:
    'Stores a forensic bundle, then a deny-all NetworkPolicy on a unique label and the pod detached from its Services and controller; the result says what still reaches it. `--cluster` is needed when several clusters are configured. Example: `/k8s isolate shop/web-7d4b9c6f5-x2x1z --cluster prod`.',
  role: REMEDIATION_ROLE,
  purpose: REMEDIATION_PURPOSE['isolate-pod'],
  flags: ['cluster'],
  plan: podActionPlan('isolate-pod', USAGE),
};

/** `plan` of a command taking NAMESPACE/POD and `--cluster` (isolate, release). */
export function podActionPlan(action: 'isolate-pod' | 'release-pod', usage: string): CommandSpec['plan'] {
  return (args, context) => {
    const [ref = ''] = expectPositionals(args, ['NAMESPACE/POD'], usage);
    const { namespace, pod } = namespacedPod(ref, usage);
    const cluster = commandCluster(args.flags.get('cluster'), context.config, usage);
    return startPlan({ action, cluster, namespace, pod }, context.triggerId, `Pod ${namespace}/${pod}`);
  };
}

/** The command's plan: the planning modal opens, the worker fills it with the dry-run plan. */
export function startPlan(
  ask: Parameters<typeof planStart>[0],
  triggerId: string | undefined,
  target: string,
): ReturnType<CommandSpec['plan']> {
  const start = planStart(ask, triggerId, target);
  return {
    type: 'enqueue',
    body: start.body,
    scope: start.scope,
    target: start.target,
    working: `Preparing the plan for ${target.replace(/[`*_~<>&]/g, '')} in a modal…`,
    openFirst: start.view,
  };
}
