import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { captureJsonLines } from '../../support/captured-output.ts';
import { fixtureWith, loadFixture } from '../../support/fixtures.ts';
import { lambdaContext } from '../../support/lambda-context.ts';

/**
 * The functions' entry points as Lambda calls them, with a Lambda context of the real shape: every
 * line they log carries the function's own service name and the invocation's context. The events
 * chosen touch no store (a CloudWatch Logs control message, a GuardDuty finding about an EC2
 * instance), so only the environment the CDK app sets is needed.
 */
describe('function entry points log with their service name and the Lambda context', () => {
  beforeAll(() => {
    vi.stubEnv(
      'KUBEGUARD_CONFIG',
      JSON.stringify({
        clusters: [{ name: 'prod-cluster', region: 'eu-west-1' }],
        slack: { defaultChannel: 'C0ALERTS' },
      }),
    );
    vi.stubEnv('KUBEGUARD_TABLE_NAME', 'kubeguard-findings');
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
    vi.stubEnv('POWERTOOLS_DEV', '');
    // As Lambda sets it for a function without provisioned concurrency: Powertools reads cold starts from it.
    vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand');
  });
  afterEach(() => vi.restoreAllMocks());
  afterAll(() => vi.unstubAllEnvs());

  it('audit-logs: service kubeguard-audit-logs, function name, request id and cold start on the line', async () => {
    const { handler } = await import('../../../lambdas/audit-logs/handler.ts');
    const lines = captureJsonLines();

    const summary = await handler(
      {
        awslogs: {
          data: gzipSync(JSON.stringify(loadFixture('cwlogs-control-message.json', 'decoded'))).toString(
            'base64',
          ),
        },
      },
      lambdaContext('audit-logs', 'c6af9ac6-7b61-11e6-9a41-93e812345678'),
    );

    expect(summary).toEqual({ records: 0, detections: 0, malformed: 0, skipped: 1 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'INFO',
      message: 'CloudWatch Logs control message ignored',
      service: 'kubeguard-audit-logs',
      function_name: 'kubeguard-audit-logs-Function-1A2B3C4D5E6F',
      function_arn:
        'arn:aws:lambda:eu-west-1:111122223333:function:kubeguard-audit-logs-Function-1A2B3C4D5E6F',
      function_memory_size: '256',
      function_request_id: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
      cold_start: true,
    });
  });

  it('guardduty-findings: each invocation its own request id, cold start only on the first', async () => {
    const { handler } = await import('../../../lambdas/guardduty-findings/handler.ts');
    const ec2Finding = fixtureWith('guardduty-eks-exec-in-kube-system-pod.json', {
      detail: { resource: { resourceType: 'Instance' } },
    });
    const lines = captureJsonLines();

    await handler(ec2Finding, lambdaContext('guardduty-findings', 'request-1'));
    await handler(ec2Finding, lambdaContext('guardduty-findings', 'request-2'));

    expect(lines.map((line) => [line.service, line.function_request_id, line.cold_start])).toEqual([
      ['kubeguard-guardduty-findings', 'request-1', true],
      ['kubeguard-guardduty-findings', 'request-2', false],
    ]);
    expect(lines[0]?.message).toBe('GuardDuty finding ignored');
  });

  it('image-findings: service kubeguard-image-findings, request id and cold start on each line', async () => {
    const { handler } = await import('../../../lambdas/image-findings/handler.ts');
    const { inspectorEvent } = await import('../../support/inspector-double.ts');
    const lambdaFinding = inspectorEvent('inspector2-finding-ecr-package-vulnerability');
    const [resource] = lambdaFinding.detail.resources as Record<string, unknown>[];
    (lambdaFinding.detail.resources as Record<string, unknown>[])[0] = {
      ...resource,
      type: 'AWS_LAMBDA_FUNCTION',
    };
    const lines = captureJsonLines();

    await handler(lambdaFinding, lambdaContext('image-findings', 'request-1'));
    await handler(lambdaFinding, lambdaContext('image-findings', 'request-2'));

    expect(lines.map((line) => [line.service, line.function_request_id, line.cold_start])).toEqual([
      ['kubeguard-image-findings', 'request-1', true],
      ['kubeguard-image-findings', 'request-2', false],
    ]);
    expect(lines[0]?.message).toBe('Inspector finding ignored');
  });
});
