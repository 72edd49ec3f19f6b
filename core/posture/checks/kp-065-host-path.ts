import { list, record } from '../pod-templates.ts';
import { POD_READS, templateCheck, type Violation, violation } from '../template-check.ts';

export const kp065 = templateCheck({
  id: 'KP-065',
  title: 'No hostPath volumes',
  severity: 'high',
  category: 'workload',
  core: true,
  cis: [],
  pss: 'baseline',
  reads: POD_READS,
  remediation:
    'Replace hostPath volumes with emptyDir, configMap, secret, projected or persistentVolumeClaim volumes; node files should not be reachable from pods.',
  passMessage: 'no volume uses hostPath',
  inspect: (template) => {
    const violations: Violation[] = [];
    list(template.spec.volumes).forEach((item, index) => {
      const volume = record(item);
      const hostPath = record(volume?.hostPath);
      if (hostPath === undefined) return;
      violations.push(
        violation(
          `${template.specPath}.volumes[${index}].hostPath.path`,
          hostPath.path,
          `volume "${String(volume?.name)}"`,
        ),
      );
    });
    return violations;
  },
});
