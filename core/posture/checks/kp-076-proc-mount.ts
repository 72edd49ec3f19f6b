import { containersOf, dig } from '../pod-templates.ts';
import { POD_READS, templateCheck, violation } from '../template-check.ts';

export const kp076 = templateCheck({
  id: 'KP-076',
  title: '/proc mount Default',
  severity: 'medium',
  category: 'workload',
  core: false,
  cis: [],
  pss: 'baseline',
  reads: POD_READS,
  remediation:
    'Remove securityContext.procMount (or set it to Default): Unmasked exposes host kernel details.',
  passMessage: 'no container unmasks /proc',
  inspect: (template) =>
    containersOf(template)
      .filter(({ container }) => {
        const procMount = dig(container, 'securityContext', 'procMount');
        return procMount !== undefined && procMount !== 'Default';
      })
      .map(({ container, path, name }) =>
        violation(
          `${path}.securityContext.procMount`,
          dig(container, 'securityContext', 'procMount'),
          `container "${name}"`,
        ),
      ),
});
