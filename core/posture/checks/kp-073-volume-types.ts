import { list, record } from '../pod-templates.ts';
import { POD_READS, templateCheck, type Violation, violation } from '../template-check.ts';

/** Pod Security restricted: the only volume sources allowed. A volume with no source defaults to emptyDir. */
export const RESTRICTED_VOLUME_TYPES: ReadonlySet<string> = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

export const kp073 = templateCheck({
  id: 'KP-073',
  title: 'Restricted volume types only',
  severity: 'medium',
  category: 'workload',
  core: false,
  cis: [],
  pss: 'restricted',
  reads: POD_READS,
  remediation:
    'Use only configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected or secret volumes; reach other storage through a PersistentVolumeClaim.',
  passMessage: 'every volume is of a type the restricted profile allows',
  inspect: (template) => {
    const violations: Violation[] = [];
    list(template.spec.volumes).forEach((item, index) => {
      const volume = record(item) ?? {};
      for (const [type, source] of Object.entries(volume)) {
        if (type === 'name' || source === null || source === undefined || RESTRICTED_VOLUME_TYPES.has(type))
          continue;
        violations.push(
          violation(
            `${template.specPath}.volumes[${index}].${type}`,
            source,
            `volume type ${type} is not allowed`,
          ),
        );
      }
    });
    return violations;
  },
});
