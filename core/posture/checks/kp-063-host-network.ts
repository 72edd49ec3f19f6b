import { POD_READS, templateCheck, violation } from '../template-check.ts';

export const kp063 = templateCheck({
  id: 'KP-063',
  title: 'No host network',
  severity: 'high',
  category: 'workload',
  core: true,
  cis: ['4.2.4'],
  pss: 'baseline',
  reads: POD_READS,
  remediation:
    'Remove spec.hostNetwork (or set it to false): the pod then gets its own network namespace instead of the node’s.',
  passMessage: 'spec.hostNetwork is not true',
  inspect: (template) =>
    template.spec.hostNetwork === true
      ? [violation(`${template.specPath}.hostNetwork`, true, 'shares the node’s network namespace')]
      : [],
});
