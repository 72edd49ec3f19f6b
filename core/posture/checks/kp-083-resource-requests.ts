import { containersOf, dig, RUNNING_CONTAINER_GROUPS } from '../pod-templates.ts';
import { POD_READS, templateCheck, type Violation, violation } from '../template-check.ts';

export const kp083 = templateCheck({
  id: 'KP-083',
  title: 'CPU and memory requests set',
  severity: 'low',
  category: 'workload',
  core: false,
  cis: [],
  reads: POD_READS,
  remediation:
    'Set resources.requests.cpu and resources.requests.memory on every container so the scheduler can place it.',
  passMessage: 'every container sets CPU and memory requests',
  inspect: (template) => {
    const violations: Violation[] = [];
    for (const { container, path, name } of containersOf(template, RUNNING_CONTAINER_GROUPS)) {
      for (const resource of ['cpu', 'memory']) {
        // A limit without a request defaults the request to the limit.
        if (
          dig(container, 'resources', 'requests', resource) === undefined &&
          dig(container, 'resources', 'limits', resource) === undefined
        ) {
          violations.push(
            violation(`${path}.resources.requests.${resource}`, undefined, `container "${name}"`),
          );
        }
      }
    }
    return violations;
  },
});
