import { controllerOf } from '../pod-templates.ts';
import { POD_READS, templateCheck, violation } from '../template-check.ts';

export const kp088 = templateCheck({
  id: 'KP-088',
  title: 'Not a naked Pod (owned by a controller)',
  severity: 'low',
  category: 'workload',
  core: false,
  cis: [],
  reads: POD_READS,
  remediation:
    'Run the pod through a Deployment, StatefulSet, DaemonSet or Job so it is rescheduled and rolled out consistently.',
  passMessage: 'the Pod is owned by a controller',
  appliesTo: (template) => template.ref.kind === 'Pod',
  inspect: (template) =>
    controllerOf(template.workload) === undefined
      ? [violation('metadata.ownerReferences', undefined, 'no controller owns this Pod')]
      : [],
});
