import { containersOf, dig } from '../pod-templates.ts';
import { POD_READS, templateCheck, type Violation, violation } from '../template-check.ts';

const ALLOWED_TYPES: ReadonlySet<unknown> = new Set([
  undefined,
  '',
  'container_t',
  'container_init_t',
  'container_kvm_t',
  'container_engine_t',
]);

function inspectOptions(options: unknown, path: string, violations: Violation[]): void {
  const type = dig(options, 'type');
  if (!ALLOWED_TYPES.has(type)) violations.push(violation(`${path}.type`, type));
  for (const field of ['user', 'role']) {
    const value = dig(options, field);
    if (value !== undefined && value !== '')
      violations.push(violation(`${path}.${field}`, value, 'must be unset'));
  }
}

/** Pod Security baseline: SELinux type limited to the container types; user and role unset. */
export const kp075 = templateCheck({
  id: 'KP-075',
  title: 'SELinux options restricted',
  severity: 'medium',
  category: 'workload',
  core: false,
  cis: [],
  pss: 'baseline',
  reads: POD_READS,
  remediation: 'Remove seLinuxOptions.user and .role, and use a container_* SELinux type (or none).',
  passMessage: 'no SELinux option escapes the container types',
  inspect: (template) => {
    const violations: Violation[] = [];
    inspectOptions(
      dig(template.spec, 'securityContext', 'seLinuxOptions'),
      `${template.specPath}.securityContext.seLinuxOptions`,
      violations,
    );
    for (const { container, path } of containersOf(template)) {
      inspectOptions(
        dig(container, 'securityContext', 'seLinuxOptions'),
        `${path}.securityContext.seLinuxOptions`,
        violations,
      );
    }
    return violations;
  },
});
