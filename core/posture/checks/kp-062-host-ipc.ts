import { POD_READS, templateCheck, violation } from '../template-check.ts';

export const kp062 = templateCheck({
  id: 'KP-062',
  title: 'No host IPC namespace',
  severity: 'high',
  category: 'workload',
  core: true,
  cis: ['4.2.3'],
  pss: 'baseline',
  reads: POD_READS,
  remediation:
    'Remove spec.hostIPC (or set it to false): the pod then gets its own IPC namespace instead of the node’s.',
  passMessage: 'spec.hostIPC is not true',
  inspect: (template) =>
    template.spec.hostIPC === true
      ? [violation(`${template.specPath}.hostIPC`, true, 'shares the node’s IPC namespace')]
      : [],
});
