import { describe, expect, it } from 'vitest';
import { referencedSecretIds } from '#core/secrets/references.ts';
import { manifests } from '#test/support/rbac-objects.ts';

describe('referencedSecretIds', () => {
  it('reads ExternalSecret keys of Secrets Manager stores and SecretProviderClass objects', () => {
    const objects = manifests(`
apiVersion: external-secrets.io/v1
kind: ClusterSecretStore
metadata:
  name: aws-secrets
spec:
  provider:
    aws:
      service: SecretsManager
      region: us-east-1
---
apiVersion: external-secrets.io/v1
kind: SecretStore
metadata:
  name: parameters
  namespace: payments
spec:
  provider:
    aws:
      service: ParameterStore
      region: us-east-1
---
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: api-key
  namespace: payments
spec:
  refreshInterval: 1h
  secretStoreRef:
    name: aws-secrets
    kind: ClusterSecretStore
  target:
    name: api-key
  data:
  - secretKey: key
    remoteRef:
      key: prod/payments/api-key
  dataFrom:
  - extract:
      key: prod/payments/db
---
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: flags
  namespace: payments
spec:
  secretStoreRef:
    name: parameters
  data:
  - secretKey: flags
    remoteRef:
      key: /payments/flags
---
apiVersion: secrets-store.csi.x-k8s.io/v1
kind: SecretProviderClass
metadata:
  name: nginx-deployment-aws-secrets
  namespace: web
spec:
  provider: aws
  parameters:
    objects: |
        - objectName: "MySecret"
          objectType: "secretsmanager"
        - objectName: "MyParameter"
          objectType: "ssmparameter"
        - objectName: "arn:aws:secretsmanager:us-east-1:111122223333:secret:OtherSecret-a1b2c3"
`);
    expect(referencedSecretIds(objects)).toEqual([
      'MySecret',
      'arn:aws:secretsmanager:us-east-1:111122223333:secret:OtherSecret-a1b2c3',
      'prod/payments/api-key',
      'prod/payments/db',
    ]);
  });

  it('ignores an ExternalSecret whose store is not in the snapshot', () => {
    const objects = manifests(`
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: orphan
  namespace: default
spec:
  secretStoreRef:
    name: unknown
  data:
  - secretKey: k
    remoteRef:
      key: some/secret
`);
    expect(referencedSecretIds(objects)).toEqual([]);
  });
});
