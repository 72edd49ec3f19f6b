import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SecretsManagerClient } from '../../../../adapters/aws/secrets-manager-lite.ts';
import { fetchSlackCredentials } from '../../../../adapters/aws/slack-credentials.ts';

const ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:kubeguard/slack-AbCdEf';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A Secrets Manager double on loopback answering GetSecretValue with `status` and `body`. */
async function secretsManager(status: number, body: unknown, headers: Record<string, string> = {}) {
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];
  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    request.on('end', () => {
      received.push({ headers: request.headers, body: text });
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', ...headers });
      response.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  const client = new SecretsManagerClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  });
  return { client, received };
}

describe('the Slack credentials in Secrets Manager', () => {
  it('reads the bot token and signing secret with one signed GetSecretValue', async () => {
    const { client, received } = await secretsManager(200, {
      ARN,
      Name: 'kubeguard/slack',
      SecretString: JSON.stringify({ botToken: 'xoxb-1-2-abc', signingSecret: 'shh' }),
    });

    await expect(fetchSlackCredentials(client, ARN)).resolves.toEqual({
      botToken: 'xoxb-1-2-abc',
      signingSecret: 'shh',
    });
    expect(received).toHaveLength(1);
    expect(received[0]?.headers['x-amz-target']).toBe('secretsmanager.GetSecretValue');
    expect(received[0]?.headers.authorization).toMatch(/\/eu-west-1\/secretsmanager\/aws4_request, /);
    expect(JSON.parse(received[0]?.body ?? '')).toEqual({ SecretId: ARN });
  });

  it('names the secret and the error when it cannot be read, without the secret content', async () => {
    const { client } = await secretsManager(400, {
      __type: 'AccessDeniedException',
      message: 'User is not authorized to perform secretsmanager:GetSecretValue',
    });

    await expect(fetchSlackCredentials(client, ARN)).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      message: `cannot read the Slack secret ${ARN}: AccessDeniedException`,
    });
  });

  it('says what to store when the secret has no bot token, without echoing it', async () => {
    const { client } = await secretsManager(200, { ARN, SecretString: '{"token":"xoxb-leaked"}' });

    const failure = await fetchSlackCredentials(client, ARN).then(
      () => new Error('expected the read to fail'),
      (error: Error) => error,
    );

    expect(failure.message).toBe(`the Slack secret ${ARN} has no botToken (xoxb-…); see docs/deploy.md`);
    expect(failure.message).not.toContain('leaked');
  });
});
