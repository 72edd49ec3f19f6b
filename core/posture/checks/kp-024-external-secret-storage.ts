import type { PostureCheck } from '../check.ts';
import {
  ALL_CONTAINER_GROUPS,
  containersOf,
  dig,
  list,
  type PodTemplate,
  podTemplates,
} from '../pod-templates.ts';
import { clusterSubject, makeResult } from '../results.ts';
import { objectsOfKind } from '../snapshot-index.ts';

export const EXTERNAL_SECRET_KINDS = ['ExternalSecret', 'SecretProviderClass'];

/** Whether a pod spec reads a Secret: a secret volume (or projected source), secretKeyRef, or envFrom secretRef. */
function readsSecret(template: PodTemplate): boolean {
  for (const volume of list(template.spec.volumes)) {
    if (dig(volume, 'secret') !== undefined) return true;
    if (list(dig(volume, 'projected', 'sources')).some((source) => dig(source, 'secret') !== undefined))
      return true;
  }
  for (const { container } of containersOf(template, ALL_CONTAINER_GROUPS)) {
    if (list(dig(container, 'env')).some((env) => dig(env, 'valueFrom', 'secretKeyRef') !== undefined))
      return true;
    if (list(dig(container, 'envFrom')).some((from) => dig(from, 'secretRef') !== undefined)) return true;
  }
  return false;
}

export const externalSecretStorageCheck: PostureCheck = {
  id: 'KP-024',
  title: 'External secret storage in use (Secrets Manager / Parameter Store)',
  severity: 'low',
  category: 'aws',
  core: false,
  cis: ['4.4.2'],
  reads: ['externalsecrets'],
  remediation:
    'Keep secret values in AWS Secrets Manager or Parameter Store and project them with the Secrets Store CSI driver (SecretProviderClass) or External Secrets Operator (ExternalSecret).',
  nothingToCheck: 'no Secret and no workload that references one',
  evaluate(snapshot) {
    const counts = EXTERNAL_SECRET_KINDS.map((kind) => [kind, objectsOfKind(snapshot, kind).length] as const);
    const used = counts.filter(([, count]) => count > 0);
    const evidence = Object.fromEntries(counts.map(([kind, count]) => [kind, String(count)]));
    if (used.length > 0) {
      return [
        makeResult(
          this,
          'pass',
          clusterSubject(snapshot),
          `external secret storage is in use: ${used.map(([kind, count]) => `${count} ${kind}`).join(', ')}`,
          evidence,
        ),
      ];
    }
    // Without a Secret or a workload reading one there are no secrets to store anywhere: not applicable.
    const secrets = objectsOfKind(snapshot, 'Secret').length;
    const references = podTemplates(snapshot).filter(readsSecret).length;
    if (secrets === 0 && references === 0) return [];
    return [
      makeResult(
        this,
        'fail',
        clusterSubject(snapshot),
        `no ExternalSecret or SecretProviderClass objects: ${secrets} Secret${secrets === 1 ? '' : 's'} and ${references} workload reference${references === 1 ? '' : 's'} to Secrets live only as native Kubernetes Secrets`,
        { ...evidence, Secret: String(secrets), 'workloads reading Secrets': String(references) },
      ),
    ];
  },
};
