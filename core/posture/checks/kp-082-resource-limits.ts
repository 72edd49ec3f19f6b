import { containersOf, dig, RUNNING_CONTAINER_GROUPS } from '../pod-templates.ts';
import { POD_READS, templateCheck, type Violation, violation } from '../template-check.ts';

/** Ephemeral containers may not declare resources, so only containers and initContainers are inspected. */
export const kp082 = templateCheck({
  id: 'KP-082',
  title: 'CPU and memory limits set',
  severity: 'medium',
  category: 'workload',
  core: true,
  cis: [],
  reads: POD_READS,
  remediation:
    'Set resources.limits.cpu and resources.limits.memory on every container (or a LimitRange default in the namespace).',
  passMessage: 'every container sets CPU and memory limits',
  inspect: (template) => {
    const violations: Violation[] = [];
    for (const { container, path, name } of containersOf(template, RUNNING_CONTAINER_GROUPS)) {
      for (const resource of ['cpu', 'memory']) {
        if (dig(container, 'resources', 'limits', resource) === undefined) {
          violations.push(
            violation(`${path}.resources.limits.${resource}`, undefined, `container "${name}"`),
          );
        }
      }
    }
    return violations;
  },
});
