import type { CheckResult, PostureCheck } from '../check.ts';
import { makeResult, subjectOf } from '../results.ts';
import type { ClusterSnapshot } from '../snapshot.ts';

interface Removal {
  replacement: string;
  removedIn: string;
}

/** Removed API versions (Kubernetes deprecation guide), by `apiVersion` then kind (`*` = every kind). */
const REMOVED: Readonly<Record<string, Readonly<Record<string, Removal>>>> = {
  'extensions/v1beta1': {
    Deployment: { replacement: 'apps/v1', removedIn: '1.16' },
    DaemonSet: { replacement: 'apps/v1', removedIn: '1.16' },
    ReplicaSet: { replacement: 'apps/v1', removedIn: '1.16' },
    NetworkPolicy: { replacement: 'networking.k8s.io/v1', removedIn: '1.16' },
    PodSecurityPolicy: { replacement: 'Pod Security admission (no replacement object)', removedIn: '1.16' },
    Ingress: { replacement: 'networking.k8s.io/v1', removedIn: '1.22' },
  },
  'apps/v1beta1': { '*': { replacement: 'apps/v1', removedIn: '1.16' } },
  'apps/v1beta2': { '*': { replacement: 'apps/v1', removedIn: '1.16' } },
  'networking.k8s.io/v1beta1': { '*': { replacement: 'networking.k8s.io/v1', removedIn: '1.22' } },
  'rbac.authorization.k8s.io/v1beta1': {
    '*': { replacement: 'rbac.authorization.k8s.io/v1', removedIn: '1.22' },
  },
  'rbac.authorization.k8s.io/v1alpha1': {
    '*': { replacement: 'rbac.authorization.k8s.io/v1', removedIn: '1.22' },
  },
  'admissionregistration.k8s.io/v1beta1': {
    '*': { replacement: 'admissionregistration.k8s.io/v1', removedIn: '1.22' },
  },
  'apiextensions.k8s.io/v1beta1': { '*': { replacement: 'apiextensions.k8s.io/v1', removedIn: '1.22' } },
  'apiregistration.k8s.io/v1beta1': { '*': { replacement: 'apiregistration.k8s.io/v1', removedIn: '1.22' } },
  'certificates.k8s.io/v1beta1': { '*': { replacement: 'certificates.k8s.io/v1', removedIn: '1.22' } },
  'coordination.k8s.io/v1beta1': { '*': { replacement: 'coordination.k8s.io/v1', removedIn: '1.22' } },
  'scheduling.k8s.io/v1beta1': { '*': { replacement: 'scheduling.k8s.io/v1', removedIn: '1.22' } },
  'storage.k8s.io/v1beta1': {
    CSIStorageCapacity: { replacement: 'storage.k8s.io/v1', removedIn: '1.27' },
    '*': { replacement: 'storage.k8s.io/v1', removedIn: '1.22' },
  },
  'batch/v1beta1': { CronJob: { replacement: 'batch/v1', removedIn: '1.25' } },
  'policy/v1beta1': {
    PodDisruptionBudget: { replacement: 'policy/v1', removedIn: '1.25' },
    PodSecurityPolicy: { replacement: 'Pod Security admission (no replacement object)', removedIn: '1.25' },
  },
  'discovery.k8s.io/v1beta1': { '*': { replacement: 'discovery.k8s.io/v1', removedIn: '1.25' } },
  'events.k8s.io/v1beta1': { '*': { replacement: 'events.k8s.io/v1', removedIn: '1.25' } },
  'node.k8s.io/v1beta1': { '*': { replacement: 'node.k8s.io/v1', removedIn: '1.25' } },
  'autoscaling/v2beta1': { '*': { replacement: 'autoscaling/v2', removedIn: '1.25' } },
  'autoscaling/v2beta2': { '*': { replacement: 'autoscaling/v2', removedIn: '1.26' } },
  'flowcontrol.apiserver.k8s.io/v1beta1': {
    '*': { replacement: 'flowcontrol.apiserver.k8s.io/v1', removedIn: '1.26' },
  },
  'flowcontrol.apiserver.k8s.io/v1beta2': {
    '*': { replacement: 'flowcontrol.apiserver.k8s.io/v1', removedIn: '1.29' },
  },
  'flowcontrol.apiserver.k8s.io/v1beta3': {
    '*': { replacement: 'flowcontrol.apiserver.k8s.io/v1', removedIn: '1.32' },
  },
};

/** Kinds that once had a removed version: only these get a pass result (a Pod is always v1). */
const KINDS_WITH_HISTORY: ReadonlySet<string> = new Set([
  'Deployment',
  'DaemonSet',
  'ReplicaSet',
  'StatefulSet',
  'NetworkPolicy',
  'Ingress',
  'IngressClass',
  'CronJob',
  'PodDisruptionBudget',
  'HorizontalPodAutoscaler',
  'Role',
  'ClusterRole',
  'RoleBinding',
  'ClusterRoleBinding',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'CustomResourceDefinition',
  'PriorityClass',
  'StorageClass',
  'CSIDriver',
  'CSINode',
  'VolumeAttachment',
  'RuntimeClass',
  'EndpointSlice',
]);

export function removalOf(apiVersion: string, kind: string): Removal | undefined {
  const versions = REMOVED[apiVersion];
  return versions?.[kind] ?? versions?.['*'];
}

export const kp109: PostureCheck = {
  id: 'KP-109',
  title: 'Deprecated API versions not used',
  severity: 'low',
  category: 'network',
  core: false,
  cis: [],
  reads: [],
  remediation:
    'Move the manifest to the current apiVersion (kubectl convert, or pluto to find them all) before upgrading the cluster.',
  evaluate(snapshot: ClusterSnapshot): CheckResult[] {
    const results: CheckResult[] = [];
    for (const object of snapshot.objects) {
      if (typeof object.apiVersion !== 'string') continue;
      const removal = removalOf(object.apiVersion, object.kind);
      if (removal !== undefined) {
        results.push(
          makeResult(
            kp109,
            'fail',
            subjectOf(snapshot, object),
            `apiVersion is "${object.apiVersion}", removed in Kubernetes ${removal.removedIn}; use ${removal.replacement}`,
            { apiVersion: JSON.stringify(object.apiVersion) },
          ),
        );
      } else if (KINDS_WITH_HISTORY.has(object.kind)) {
        results.push(
          makeResult(
            kp109,
            'pass',
            subjectOf(snapshot, object),
            `apiVersion "${object.apiVersion}" is served`,
          ),
        );
      }
    }
    return results;
  },
};
