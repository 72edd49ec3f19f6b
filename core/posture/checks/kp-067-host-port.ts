import { containersOf, list, record } from '../pod-templates.ts';
import { POD_READS, templateCheck, type Violation, violation } from '../template-check.ts';

export const kp067 = templateCheck({
  id: 'KP-067',
  title: 'No hostPort',
  severity: 'medium',
  category: 'workload',
  core: true,
  cis: [],
  pss: 'baseline',
  reads: POD_READS,
  remediation:
    'Remove ports[].hostPort; expose the container through a Service instead of a port on the node.',
  passMessage: 'no container port sets a hostPort',
  inspect: (template) => {
    const violations: Violation[] = [];
    for (const { container, path, name } of containersOf(template)) {
      list(container.ports).forEach((item, index) => {
        const hostPort = record(item)?.hostPort;
        if (hostPort !== undefined && hostPort !== null && hostPort !== 0) {
          violations.push(violation(`${path}.ports[${index}].hostPort`, hostPort, `container "${name}"`));
        }
      });
    }
    return violations;
  },
});
