import { GetDetectorCommand, GuardDutyClient, ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { collectGuardDutySnapshot } from '#adapters/aws/guardduty-snapshot.ts';
import { collectSecretsSnapshot } from '#adapters/aws/secrets-snapshot.ts';
import { loadAwsResponse } from '#test/support/aws-fixtures.ts';

const guardDutyMock = mockClient(GuardDutyClient);
const secretsMock = mockClient(SecretsManagerClient);
const guardDuty = new GuardDutyClient({ region: 'us-east-2' });
const secretsManager = new SecretsManagerClient({ region: 'us-west-2' });

function awsError(name: string, message: string, httpStatusCode: number): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode } });
}

describe('collectGuardDutySnapshot', () => {
  beforeEach(() => guardDutyMock.reset());

  it('returns each detector of the region with its id and without $metadata', async () => {
    guardDutyMock.on(ListDetectorsCommand).resolves(loadAwsResponse('guardduty-list-detectors.json'));
    guardDutyMock.on(GetDetectorCommand).resolves(loadAwsResponse('guardduty-get-detector-all-on.json'));
    const { aws, unavailable } = await collectGuardDutySnapshot(guardDuty);
    expect(unavailable).toEqual({});
    expect(aws.detectors).toHaveLength(1);
    expect(aws.detectors?.[0]).toMatchObject({
      detectorId: '12abc34d567e8fa901bc2d34eexample',
      Status: 'ENABLED',
    });
    expect(aws.detectors?.[0]).not.toHaveProperty('$metadata');
  });

  it('returns [] when GuardDuty was never enabled in the region', async () => {
    guardDutyMock.on(ListDetectorsCommand).resolves(loadAwsResponse('guardduty-list-detectors-empty.json'));
    expect((await collectGuardDutySnapshot(guardDuty)).aws.detectors).toEqual([]);
  });

  it('marks detectors unavailable when ListDetectors is denied', async () => {
    guardDutyMock.on(ListDetectorsCommand).rejects(awsError('AccessDeniedException', 'not authorized', 403));
    expect((await collectGuardDutySnapshot(guardDuty)).unavailable).toEqual({
      'guardduty:detectors': 'no permission to guardduty:ListDetectors/GetDetector',
    });
  });
});

describe('collectSecretsSnapshot', () => {
  beforeEach(() => secretsMock.reset());

  it('describes each referenced secret once and lists the dangling references', async () => {
    secretsMock
      .on(DescribeSecretCommand, { SecretId: 'MyTestSecret' })
      .resolves(loadAwsResponse('secretsmanager-describe-secret-rotating.json'))
      .on(DescribeSecretCommand, { SecretId: 'gone' })
      .rejects(
        awsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.", 400),
      );
    const result = await collectSecretsSnapshot(secretsManager, ['MyTestSecret', 'gone', 'MyTestSecret']);
    expect(result.aws.secrets?.map((s) => s.Name)).toEqual(['MyTestSecret']);
    expect(result.missing).toEqual(['gone']);
    expect(result.unavailable).toEqual({});
    expect(secretsMock.commandCalls(DescribeSecretCommand)).toHaveLength(2);
  });

  it('marks the secrets unavailable when one of them is denied', async () => {
    secretsMock
      .on(DescribeSecretCommand)
      .resolves(loadAwsResponse('secretsmanager-describe-secret-never-rotated.json'))
      .on(DescribeSecretCommand, { SecretId: 'prod/db' })
      .rejects(awsError('AccessDeniedException', 'not authorized', 400));
    const { unavailable } = await collectSecretsSnapshot(secretsManager, [
      'prod/payments/api-key',
      'prod/db',
    ]);
    expect(unavailable['secretsmanager:secrets']).toBe(
      'no permission to secretsmanager:DescribeSecret on 1 referenced secret(s): prod/db',
    );
  });
});
