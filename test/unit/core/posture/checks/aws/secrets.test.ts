import { describe, expect, it } from 'vitest';
import { secretRotationEnabledCheck } from '#core/posture/checks/kp-020-secret-rotation-enabled.ts';
import { secretMaxAgeCheck } from '#core/posture/checks/kp-021-secret-max-age.ts';
import { externalSecretStorageCheck } from '#core/posture/checks/kp-024-external-secret-storage.ts';
import type { KubeObject } from '#core/posture/snapshot.ts';
import { aws, awsSnapshot } from '#test/support/aws-fixtures.ts';

const ROTATING = 'secretsmanager-describe-secret-rotating.json';
const NOT_ROTATING = 'secretsmanager-describe-secret-not-rotating.json';
const NEVER = 'secretsmanager-describe-secret-never-rotated.json';
const CANCELLED = 'secretsmanager-describe-secret-rotation-cancelled.json';

describe('KP-020 Secrets Manager rotation enabled', () => {
  const results = secretRotationEnabledCheck.evaluate(
    awsSnapshot({ secrets: [ROTATING, NOT_ROTATING, NEVER, CANCELLED].map(aws.secret) }),
  );

  it('passes a rotating secret, reported on its name', () => {
    expect(results[0]).toMatchObject({
      status: 'pass',
      object: { kind: 'SecretsManagerSecret', name: 'MyTestSecret' },
    });
  });

  it('flags RotationEnabled false', () => {
    expect(results[1]).toMatchObject({ status: 'fail', object: { name: 'appauthexample' } });
  });

  it('flags a never-configured secret whose RotationEnabled is absent', () => {
    expect(results[2]?.status).toBe('fail');
    expect(results[2]?.message).toContain('RotationEnabled is absent');
  });

  it('flags a cancelled rotation although RotationRules are still present', () => {
    expect(results[3]?.status).toBe('fail');
    expect(results[3]?.message).toContain('rotation was turned off');
  });

  it('gives no result when the cluster references no secret', () => {
    expect(secretRotationEnabledCheck.evaluate(awsSnapshot({ secrets: [] }))).toEqual([]);
  });
});

describe('KP-021 secret maximum age', () => {
  it('flags a rotating secret whose last rotation is years behind its 2-day schedule', () => {
    const [result] = secretMaxAgeCheck.evaluate(awsSnapshot({ secrets: [aws.secret(ROTATING)] }));
    expect(result?.status).toBe('fail');
    expect(result?.message).toContain('LastRotatedDate is 2018-05-08');
  });

  it('passes a rotating secret rotated yesterday', () => {
    const secret = { ...aws.secret(ROTATING), LastRotatedDate: new Date('2026-02-28T16:00:00Z') };
    const [result] = secretMaxAgeCheck.evaluate(awsSnapshot({ secrets: [secret] }));
    expect(result?.status).toBe('pass');
  });

  it('flags a never-rotated secret unchanged for more than 90 days, by LastChangedDate', () => {
    const [result] = secretMaxAgeCheck.evaluate(awsSnapshot({ secrets: [aws.secret(NEVER)] }));
    expect(result?.status).toBe('fail');
    expect(result?.message).toContain('LastChangedDate is 2024-02-01');
    expect(result?.message).toContain('older than the 90-day maximum');
  });

  it('passes a never-rotated secret changed 30 days ago', () => {
    const [result] = secretMaxAgeCheck.evaluate(
      awsSnapshot({ secrets: [aws.secret(NEVER)] }, { takenAt: '2024-03-02T09:15:02.431Z' }),
    );
    expect(result?.status).toBe('pass');
  });
});

describe('KP-024 external secret storage', () => {
  const externalSecret: KubeObject = {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name: 'payments-api-key', namespace: 'payments' },
    spec: { secretStoreRef: { kind: 'ClusterSecretStore', name: 'aws' }, data: [] },
  };

  it('passes when ExternalSecrets exist', () => {
    const [result] = externalSecretStorageCheck.evaluate(awsSnapshot({}, { objects: [externalSecret] }));
    expect(result?.status).toBe('pass');
    expect(result?.message).toContain('1 ExternalSecret');
  });

  it('flags a cluster with Secrets but neither ExternalSecret nor SecretProviderClass', () => {
    const secret: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'payments-api-key', namespace: 'payments' },
      type: 'Opaque',
    };
    expect(externalSecretStorageCheck.evaluate(awsSnapshot({}, { objects: [secret] }))[0]?.status).toBe(
      'fail',
    );
  });

  it('has nothing to say without Secrets (the engine reports it not applicable)', () => {
    expect(externalSecretStorageCheck.evaluate(awsSnapshot({}))).toEqual([]);
  });
});
