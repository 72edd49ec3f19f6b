import { accessCheck } from './rbac-support.ts';

export const persistentVolumeCreationCheck = accessCheck({
  id: 'KP-047',
  title: 'Minimize create on PersistentVolumes',
  severity: 'medium',
  category: 'rbac',
  core: false,
  cis: ['4.1.9'],
  reads: ['roles', 'rolebindings'],
  remediation:
    'Let users claim storage through PersistentVolumeClaims and StorageClasses; keep create on persistentvolumes for the provisioners.',
  requests: [{ verb: 'create', resource: 'persistentvolumes' }],
  impact: 'can create PersistentVolumes (a hostPath volume mounts the node file system)',
});
