import { containersOf, dig, isWindowsPod } from '../pod-templates.ts';
import { POD_READS, templateCheck, violation } from '../template-check.ts';

/** Pod Security restricted: every container sets allowPrivilegeEscalation to false; unset fails (Linux only). */
export const kp064 = templateCheck({
  id: 'KP-064',
  title: 'allowPrivilegeEscalation explicitly false',
  severity: 'high',
  category: 'workload',
  core: true,
  cis: ['4.2.5'],
  pss: 'restricted',
  reads: POD_READS,
  remediation:
    'Set securityContext.allowPrivilegeEscalation: false on every container (setuid binaries then cannot gain privileges).',
  passMessage: 'every container sets securityContext.allowPrivilegeEscalation to false',
  appliesTo: (template) => !isWindowsPod(template),
  inspect: (template) =>
    containersOf(template)
      .filter(({ container }) => dig(container, 'securityContext', 'allowPrivilegeEscalation') !== false)
      .map(({ container, path, name }) =>
        violation(
          `${path}.securityContext.allowPrivilegeEscalation`,
          dig(container, 'securityContext', 'allowPrivilegeEscalation'),
          `container "${name}"; must be false`,
        ),
      ),
});
