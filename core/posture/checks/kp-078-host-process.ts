import { containersOf, dig } from '../pod-templates.ts';
import { POD_READS, templateCheck, type Violation, violation } from '../template-check.ts';

export const kp078 = templateCheck({
  id: 'KP-078',
  title: 'No Windows HostProcess',
  severity: 'high',
  category: 'workload',
  core: false,
  cis: [],
  pss: 'baseline',
  reads: POD_READS,
  remediation:
    'Remove securityContext.windowsOptions.hostProcess: a HostProcess container runs directly on the Windows node.',
  passMessage: 'no Windows HostProcess container',
  inspect: (template) => {
    const violations: Violation[] = [];
    if (dig(template.spec, 'securityContext', 'windowsOptions', 'hostProcess') === true) {
      violations.push(violation(`${template.specPath}.securityContext.windowsOptions.hostProcess`, true));
    }
    for (const { container, path, name } of containersOf(template)) {
      if (dig(container, 'securityContext', 'windowsOptions', 'hostProcess') === true) {
        violations.push(
          violation(`${path}.securityContext.windowsOptions.hostProcess`, true, `container "${name}"`),
        );
      }
    }
    return violations;
  },
});
