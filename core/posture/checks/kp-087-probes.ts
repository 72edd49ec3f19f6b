import { containersOf, controllerOf } from '../pod-templates.ts';
import { POD_READS, templateCheck, type Violation, violation } from '../template-check.ts';

const BATCH_KINDS: ReadonlySet<string> = new Set(['Job', 'CronJob']);

/** Run-to-completion workloads (Jobs, CronJobs and their pods) need no probes. */
export const kp087 = templateCheck({
  id: 'KP-087',
  title: 'Liveness and readiness probes configured',
  severity: 'low',
  category: 'workload',
  core: false,
  cis: [],
  reads: POD_READS,
  remediation: 'Add a livenessProbe and a readinessProbe to every long-running container.',
  passMessage: 'every container has a liveness and a readiness probe',
  appliesTo: (template) =>
    !BATCH_KINDS.has(template.ref.kind) && !BATCH_KINDS.has(controllerOf(template.workload)?.kind ?? ''),
  inspect: (template) => {
    const violations: Violation[] = [];
    for (const { container, path, name } of containersOf(template, ['containers'])) {
      for (const probe of ['livenessProbe', 'readinessProbe']) {
        if (container[probe] === undefined || container[probe] === null) {
          violations.push(violation(`${path}.${probe}`, undefined, `container "${name}"`));
        }
      }
    }
    return violations;
  },
});
