import { describe, expect, it } from 'vitest';
import { SqsActionQueue } from '../../../../adapters/aws/sqs-action-queue.ts';
import type { QueuedRequest } from '../../../../core/chatops/requests.ts';

const REQUEST: QueuedRequest = {
  v: 1,
  requestId: 'r-0123456789abcdef',
  source: 'command',
  receivedAt: '2026-12-03T10:00:00.000Z',
  actor: { userId: 'U0ONCALL', teamId: 'T111', groups: ['S0ONCALL'] },
  reply: { channelId: 'C0ALERTS', responseUrl: 'https://hooks.slack.com/commands/T111/1/x' },
  kind: 'ack',
  args: { finding: '3f2a9c1e' },
};

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};

function recordingFetch(answer: { status: number; body: string }) {
  const requests: { url: string; headers: Record<string, string>; body: string }[] = [];
  const fetch = (async (url: URL | string, init?: RequestInit) => {
    requests.push({
      url: String(url),
      headers: Object.fromEntries(
        Object.entries((init?.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]),
      ),
      body: String(init?.body ?? ''),
    });
    return new Response(answer.body, { status: answer.status, headers: { 'x-amzn-requestid': 'req-1' } });
  }) as typeof globalThis.fetch;
  return { fetch, requests };
}

describe('the SQS action queue', () => {
  it('sends the request as the message body with SQS’s JSON protocol, signed for sqs', async () => {
    const { fetch, requests } = recordingFetch({
      status: 200,
      body: '{"MessageId":"m-1","MD5OfMessageBody":"x"}',
    });
    const queue = new SqsActionQueue({
      queueUrl: 'https://sqs.us-east-1.amazonaws.com/111122223333/kubeguard-actions',
      region: 'us-east-1',
      credentials,
      fetch,
    });

    await queue.enqueue(REQUEST);

    expect(requests).toHaveLength(1);
    const [sent] = requests;
    expect(sent?.url).toBe('https://sqs.us-east-1.amazonaws.com/');
    expect(sent?.headers['x-amz-target']).toBe('AmazonSQS.SendMessage');
    expect(sent?.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(sent?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/sqs\/aws4_request, /,
    );
    expect(JSON.parse(sent?.body ?? '')).toEqual({
      QueueUrl: 'https://sqs.us-east-1.amazonaws.com/111122223333/kubeguard-actions',
      MessageBody: JSON.stringify(REQUEST),
    });
  });

  it('lets a FIFO queue drop a second send of the same request', async () => {
    const { fetch, requests } = recordingFetch({ status: 200, body: '{"MessageId":"m-1"}' });
    const queue = new SqsActionQueue({
      queueUrl: 'https://sqs.eu-west-1.amazonaws.com/111122223333/kubeguard-actions.fifo',
      region: 'eu-west-1',
      credentials,
      fetch,
    });

    await queue.enqueue(REQUEST);

    expect(JSON.parse(requests[0]?.body ?? '')).toMatchObject({
      MessageGroupId: 'r-0123456789abcdef',
      MessageDeduplicationId: 'r-0123456789abcdef',
    });
  });

  it('fails with UPSTREAM naming the request and SQS’s error, never its message', async () => {
    const { fetch } = recordingFetch({
      status: 400,
      body: '{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."}',
    });
    const queue = new SqsActionQueue({
      queueUrl: 'https://sqs.us-east-1.amazonaws.com/111122223333/gone',
      region: 'us-east-1',
      credentials,
      fetch,
    });

    await expect(queue.enqueue(REQUEST)).rejects.toMatchObject({
      code: 'UPSTREAM',
      message: 'action queue: sending request r-0123456789abcdef failed (QueueDoesNotExist)',
    });
  });

  it('refuses a request that does not fit the schema before sending it', async () => {
    const { fetch, requests } = recordingFetch({ status: 200, body: '{}' });
    const queue = new SqsActionQueue({
      queueUrl: 'https://sqs.us-east-1.amazonaws.com/111122223333/q',
      region: 'us-east-1',
      credentials,
      fetch,
    });

    await expect(queue.enqueue({ ...REQUEST, requestId: 'not-an-id' })).rejects.toMatchObject({
      code: 'INVALID_EVENT',
    });
    expect(requests).toEqual([]);
  });

  it('refuses a queue URL that is not one', () => {
    expect(() => new SqsActionQueue({ queueUrl: 'kubeguard-actions' })).toThrow(
      'KUBEGUARD_ACTION_QUEUE_URL is not an SQS queue URL; received "kubeguard-actions"',
    );
  });
});
