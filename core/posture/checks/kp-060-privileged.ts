import { containersOf, dig } from '../pod-templates.ts';
import { POD_READS, templateCheck, violation } from '../template-check.ts';

export const kp060 = templateCheck({
  id: 'KP-060',
  title: 'No privileged containers',
  severity: 'critical',
  category: 'workload',
  core: true,
  cis: ['4.2.1'],
  pss: 'baseline',
  reads: POD_READS,
  remediation:
    'Remove securityContext.privileged (or set it to false) on every container; grant only the capabilities the process needs.',
  passMessage: 'no container sets securityContext.privileged to true',
  inspect: (template) =>
    containersOf(template)
      .filter(({ container }) => dig(container, 'securityContext', 'privileged') === true)
      .map(({ path, name }) => violation(`${path}.securityContext.privileged`, true, `container "${name}"`)),
});
