import { containersOf, dig } from '../pod-templates.ts';
import { POD_READS, templateCheck, type Violation, violation } from '../template-check.ts';

const ALLOWED_TYPES: ReadonlySet<unknown> = new Set([undefined, 'RuntimeDefault', 'Localhost']);
const ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

function allowedAnnotation(value: string): boolean {
  return value === 'runtime/default' || value.startsWith('localhost/');
}

/** Pod Security baseline: AppArmor may not be disabled (field or the beta annotation). */
export const kp074 = templateCheck({
  id: 'KP-074',
  title: 'AppArmor not overridden or disabled',
  severity: 'medium',
  category: 'workload',
  core: false,
  cis: [],
  pss: 'baseline',
  reads: POD_READS,
  remediation:
    'Remove appArmorProfile type Unconfined (and unconfined AppArmor annotations); use RuntimeDefault or Localhost.',
  passMessage: 'no AppArmor profile is set to unconfined',
  inspect: (template) => {
    const violations: Violation[] = [];
    const podType = dig(template.spec, 'securityContext', 'appArmorProfile', 'type');
    if (!ALLOWED_TYPES.has(podType)) {
      violations.push(violation(`${template.specPath}.securityContext.appArmorProfile.type`, podType));
    }
    for (const { container, path, name } of containersOf(template)) {
      const type = dig(container, 'securityContext', 'appArmorProfile', 'type');
      if (!ALLOWED_TYPES.has(type)) {
        violations.push(
          violation(`${path}.securityContext.appArmorProfile.type`, type, `container "${name}"`),
        );
      }
    }
    for (const [name, value] of Object.entries(template.annotations)) {
      if (name.startsWith(ANNOTATION_PREFIX) && !allowedAnnotation(value)) {
        violations.push(violation(`${template.metadataPath}.annotations["${name}"]`, value));
      }
    }
    return violations;
  },
});
