import { containersOf, dig, isWindowsPod, list } from '../pod-templates.ts';
import { POD_READS, templateCheck, type Violation, violation } from '../template-check.ts';

/** Pod Security restricted (Linux only): drop ALL; add nothing but NET_BIND_SERVICE. */
export const kp069 = templateCheck({
  id: 'KP-069',
  title: 'Capabilities drop ALL; add only NET_BIND_SERVICE',
  severity: 'medium',
  category: 'workload',
  core: false,
  cis: [],
  pss: 'restricted',
  reads: POD_READS,
  remediation:
    'Set securityContext.capabilities.drop: ["ALL"] on every container and add back at most NET_BIND_SERVICE.',
  passMessage: 'every container drops ALL capabilities and adds at most NET_BIND_SERVICE',
  appliesTo: (template) => !isWindowsPod(template),
  inspect: (template) => {
    const violations: Violation[] = [];
    for (const { container, path, name } of containersOf(template)) {
      const capabilities = dig(container, 'securityContext', 'capabilities');
      const drop = dig(capabilities, 'drop');
      if (!list(drop).includes('ALL')) {
        violations.push(
          violation(
            `${path}.securityContext.capabilities.drop`,
            drop,
            `container "${name}"; must contain "ALL"`,
          ),
        );
      }
      list(dig(capabilities, 'add')).forEach((capability, index) => {
        if (capability === 'NET_BIND_SERVICE') return;
        violations.push(
          violation(
            `${path}.securityContext.capabilities.add[${index}]`,
            capability,
            `container "${name}"; only NET_BIND_SERVICE may be added`,
          ),
        );
      });
    }
    return violations;
  },
});
