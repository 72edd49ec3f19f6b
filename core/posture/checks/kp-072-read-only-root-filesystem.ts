import { containersOf, dig } from '../pod-templates.ts';
import { POD_READS, templateCheck, violation } from '../template-check.ts';

export const kp072 = templateCheck({
  id: 'KP-072',
  title: 'Read-only root filesystem',
  severity: 'medium',
  category: 'workload',
  core: false,
  cis: [],
  reads: POD_READS,
  remediation:
    'Set securityContext.readOnlyRootFilesystem: true on every container; mount an emptyDir where the process must write.',
  passMessage: 'every container sets securityContext.readOnlyRootFilesystem to true',
  inspect: (template) =>
    containersOf(template)
      .filter(({ container }) => dig(container, 'securityContext', 'readOnlyRootFilesystem') !== true)
      .map(({ container, path, name }) =>
        violation(
          `${path}.securityContext.readOnlyRootFilesystem`,
          dig(container, 'securityContext', 'readOnlyRootFilesystem'),
          `container "${name}"; must be true`,
        ),
      ),
});
