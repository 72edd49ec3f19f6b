import { containersOf, dig } from '../pod-templates.ts';
import { POD_READS, templateCheck, type Violation, violation } from '../template-check.ts';

/**
 * Pod Security restricted "Running as Non-root" and "Non-root user": runAsNonRoot is true at pod level
 * (and no container sets it to false) or on every container; runAsUser is never 0 at any level.
 */
export const kp070 = templateCheck({
  id: 'KP-070',
  title: 'Run as non-root',
  severity: 'high',
  category: 'workload',
  core: true,
  cis: [],
  pss: 'restricted',
  reads: POD_READS,
  remediation:
    'Set spec.securityContext.runAsNonRoot: true (and a non-zero runAsUser, e.g. 10001); remove any runAsNonRoot: false or runAsUser: 0.',
  passMessage: 'runAsNonRoot is true for every container and no runAsUser is 0',
  inspect: (template) => {
    const violations: Violation[] = [];
    const podContext = dig(template.spec, 'securityContext');
    const podNonRoot = dig(podContext, 'runAsNonRoot');
    const podPath = `${template.specPath}.securityContext`;
    if (podNonRoot === false)
      violations.push(violation(`${podPath}.runAsNonRoot`, false, 'must not be false'));
    if (dig(podContext, 'runAsUser') === 0) violations.push(violation(`${podPath}.runAsUser`, 0, 'root'));
    for (const { container, path, name } of containersOf(template)) {
      const nonRoot = dig(container, 'securityContext', 'runAsNonRoot');
      if (nonRoot === false) {
        violations.push(violation(`${path}.securityContext.runAsNonRoot`, false, `container "${name}"`));
      } else if (nonRoot !== true && podNonRoot !== true) {
        violations.push(
          violation(
            `${path}.securityContext.runAsNonRoot`,
            nonRoot,
            `container "${name}"; and ${podPath}.runAsNonRoot is not true`,
          ),
        );
      }
      if (dig(container, 'securityContext', 'runAsUser') === 0) {
        violations.push(
          violation(`${path}.securityContext.runAsUser`, 0, `container "${name}" runs as root`),
        );
      }
    }
    return violations;
  },
});
