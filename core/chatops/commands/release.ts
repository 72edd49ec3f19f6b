import { commandCluster, REMEDIATION_PURPOSE, REMEDIATION_ROLE } from '../remediation-ask.ts';
import { expectPositionals, namespacedPod } from './args.ts';
import type { CommandSpec } from './command.ts';
import { startPlan } from './isolate.ts';

const USAGE = '/k8s release NAMESPACE/POD [--cluster C]';

export const releaseCommand: CommandSpec = {
  name: 'release',
  usage: USAGE,
  summary: 'End a pod’s quarantine: shows the plan, runs it once you confirm with a reason.',
  details:
    'Deletes the quarantine NetworkPolicy, restores the labels isolation removed and records the release on the pod. Example: `/k8s release shop/web-7d4b9c6f5-x2x1z --cluster prod`.',
  role: REMEDIATION_ROLE,
  purpose: REMEDIATION_PURPOSE['release-pod'],
  flags: ['cluster'],
  plan(args, context) {
    const [ref = ''] = expectPositionals(args, ['NAMESPACE/POD'], USAGE);
    const { namespace, pod } = namespacedPod(ref, USAGE);
    const cluster = commandCluster(args.flags.get('cluster'), context.config, USAGE);
    return startPlan(
      { action: 'release-pod', cluster, namespace, pod },
      context.triggerId,
      `Pod ${namespace}/${pod}`,
    );
  },
};
