import { containersOf, dig, isWindowsPod } from '../pod-templates.ts';
import { POD_READS, templateCheck, type Violation, violation } from '../template-check.ts';

const ALLOWED_TYPES: ReadonlySet<unknown> = new Set(['RuntimeDefault', 'Localhost']);
const POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const CONTAINER_ANNOTATION_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';

/**
 * Seccomp. Baseline forbids `Unconfined` (field, or the pre-1.27 annotations); restricted also requires
 * RuntimeDefault or Localhost at pod level or on every container (Linux only). A container without
 * its own profile inherits the pod's.
 */
export const kp071 = templateCheck({
  id: 'KP-071',
  title: 'Seccomp profile RuntimeDefault or Localhost',
  severity: 'medium',
  category: 'workload',
  core: true,
  cis: [],
  pss: 'restricted',
  reads: POD_READS,
  remediation:
    'Set spec.securityContext.seccompProfile.type: RuntimeDefault (or Localhost with a reviewed profile).',
  passMessage: 'every container runs with a RuntimeDefault or Localhost seccomp profile',
  inspect: (template) => {
    const violations: Violation[] = [];
    const linux = !isWindowsPod(template);
    const podPath = `${template.specPath}.securityContext.seccompProfile.type`;
    const podType = dig(template.spec, 'securityContext', 'seccompProfile', 'type');
    if (podType !== undefined && !ALLOWED_TYPES.has(podType)) {
      violations.push(violation(podPath, podType, 'must be RuntimeDefault or Localhost'));
    }
    for (const [name, value] of Object.entries(template.annotations)) {
      if (
        (name === POD_ANNOTATION || name.startsWith(CONTAINER_ANNOTATION_PREFIX)) &&
        value === 'unconfined'
      ) {
        violations.push(violation(`${template.metadataPath}.annotations["${name}"]`, value, 'Unconfined'));
      }
    }
    for (const { container, path, name } of containersOf(template)) {
      const type = dig(container, 'securityContext', 'seccompProfile', 'type');
      if (type !== undefined && !ALLOWED_TYPES.has(type)) {
        violations.push(
          violation(
            `${path}.securityContext.seccompProfile.type`,
            type,
            `container "${name}"; must be RuntimeDefault or Localhost`,
          ),
        );
      } else if (type === undefined && podType === undefined && linux) {
        violations.push(
          violation(
            `${path}.securityContext.seccompProfile.type`,
            undefined,
            `container "${name}"; and ${podPath} is not set`,
          ),
        );
      }
    }
    return violations;
  },
});
