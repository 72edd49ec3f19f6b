import type { PostureCheck } from '../check.ts';
import { clusterSubject, makeResult } from '../results.ts';
import { objectsOfKind } from '../snapshot-index.ts';

export const EXTERNAL_SECRET_KINDS = ['ExternalSecret', 'SecretProviderClass'];

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
  evaluate(snapshot) {
    const counts = EXTERNAL_SECRET_KINDS.map((kind) => [kind, objectsOfKind(snapshot, kind).length] as const);
    const used = counts.filter(([, count]) => count > 0);
    const evidence = Object.fromEntries(counts.map(([kind, count]) => [kind, String(count)]));
    return [
      used.length > 0
        ? makeResult(
            this,
            'pass',
            clusterSubject(snapshot),
            `external secret storage is in use: ${used.map(([kind, count]) => `${count} ${kind}`).join(', ')}`,
            evidence,
          )
        : makeResult(
            this,
            'fail',
            clusterSubject(snapshot),
            'no ExternalSecret or SecretProviderClass objects: secrets live only as native Kubernetes Secrets',
            evidence,
          ),
    ];
  },
};
