import { containersOf, dig, list } from '../pod-templates.ts';
import { POD_READS, templateCheck, type Violation, violation } from '../template-check.ts';

/** Pod Security baseline: the capabilities a container may add (compared exactly, as the admission plugin does). */
export const BASELINE_CAPABILITIES: ReadonlySet<string> = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

export const kp068 = templateCheck({
  id: 'KP-068',
  title: 'No capabilities beyond the baseline set',
  severity: 'high',
  category: 'workload',
  core: true,
  cis: [],
  pss: 'baseline',
  reads: POD_READS,
  remediation:
    'Remove from securityContext.capabilities.add every capability outside the Pod Security baseline set (e.g. SYS_ADMIN, NET_ADMIN, ALL).',
  passMessage: 'no container adds a capability outside the baseline set',
  inspect: (template) => {
    const violations: Violation[] = [];
    for (const { container, path, name } of containersOf(template)) {
      list(dig(container, 'securityContext', 'capabilities', 'add')).forEach((capability, index) => {
        if (typeof capability === 'string' && BASELINE_CAPABILITIES.has(capability)) return;
        violations.push(
          violation(
            `${path}.securityContext.capabilities.add[${index}]`,
            capability,
            `container "${name}"; not in the baseline set`,
          ),
        );
      });
    }
    return violations;
  },
});
