import { POD_READS, templateCheck, violation } from '../template-check.ts';

export const kp061 = templateCheck({
  id: 'KP-061',
  title: 'No host PID namespace',
  severity: 'high',
  category: 'workload',
  core: true,
  cis: ['4.2.2'],
  pss: 'baseline',
  reads: POD_READS,
  remediation:
    'Remove spec.hostPID (or set it to false): the pod then gets its own process ID namespace instead of the node’s.',
  passMessage: 'spec.hostPID is not true',
  inspect: (template) =>
    template.spec.hostPID === true
      ? [violation(`${template.specPath}.hostPID`, true, 'shares the node’s process ID namespace')]
      : [],
});
