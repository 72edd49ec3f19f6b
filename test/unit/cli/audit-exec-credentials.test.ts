import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { type CliRun, runCli } from '#test/support/cli.ts';
import { KubeApiDouble, POSTURE_RESOURCES } from '#test/support/kube-api-double.ts';
import { corpusManifest } from '#test/support/rbac-objects.ts';

/**
 * `kubeguard audit --kubeconfig` with an EKS-style kubeconfig whose user runs an exec credential
 * plugin (`aws eks get-token`), played by small scripts named `aws`: one that fails as the AWS CLI
 * does without credentials, one that hangs as it does while probing instance metadata, one that
 * prints a token. Issue 14: without AWS credentials the audit took 15 s to fail.
 */
const WORK = mkdtempSync(join(tmpdir(), 'kubeguard-audit-exec-'));
const TOKEN = 'k8s-aws-v1.token-from-the-plugin';
const api = new KubeApiDouble({
  token: TOKEN,
  extraResources: POSTURE_RESOURCES,
  objects: [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } },
    ...corpusManifest('m08.yaml'),
  ] as never,
});

/** A directory holding one executable `aws` script with this body. */
function awsScript(name: string, body: string): string {
  const dir = join(WORK, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'aws'), `#!/bin/sh\n${body}\n`);
  chmodSync(join(dir, 'aws'), 0o755);
  return dir;
}

let kubeconfig: string;

beforeAll(async () => {
  await api.start();
  // The shape `aws eks update-kubeconfig` writes: the user gets its token from `aws eks get-token`.
  const config = parse(api.kubeconfigYaml()) as { users: { name: string; user: Record<string, unknown> }[] };
  for (const user of config.users) {
    user.user = {
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1beta1',
        command: 'aws',
        args: ['--region', 'eu-west-1', 'eks', 'get-token', '--cluster-name', 'prod'],
        env: [{ name: 'AWS_STS_REGIONAL_ENDPOINTS', value: 'regional' }],
        interactiveMode: 'IfAvailable',
        provideClusterInfo: false,
      },
    };
  }
  kubeconfig = join(WORK, 'kubeconfig');
  writeFileSync(kubeconfig, stringify(config));
});

afterAll(async () => {
  await api.stop();
  rmSync(WORK, { recursive: true, force: true });
});

async function audit(path: string, env: Record<string, string> = {}): Promise<CliRun> {
  return runCli(['audit', '--kubeconfig', kubeconfig, '--format', 'json'], {
    cwd: WORK,
    env: { PATH: `${path}:/usr/bin:/bin`, ...env },
  });
}

describe('kubeguard audit --kubeconfig with an exec credential plugin', () => {
  it('exits 3 at once, quoting the plugin, when it fails as aws does without credentials', async () => {
    const bin = awsScript(
      'no-credentials',
      'echo >&2\necho "Unable to locate credentials. You can configure credentials by running \\"aws configure\\"." >&2\nexit 255',
    );

    const result = await audit(bin);

    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      '"aws --region eu-west-1 eks get-token --cluster-name prod" failed (exit 255): Unable to locate credentials. You can configure credentials by running "aws configure".',
    );
    expect(result.stdout).toBe('');
    expect(api.requests).toEqual([]);
  });

  it('exits 3 naming the command when it is not on PATH', async () => {
    const result = await audit(join(WORK, 'empty-bin'));

    expect(result.code).toBe(3);
    expect(result.stderr).toContain('gets its credentials from "aws", which is not on PATH');
  });

  it('gives up on a plugin that hangs after the time box (KUBEGUARD_EXEC_TIMEOUT_MS)', async () => {
    const bin = awsScript('hangs', 'exec sleep 30');

    const result = await audit(bin, { KUBEGUARD_EXEC_TIMEOUT_MS: '300' });

    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      '"aws --region eu-west-1 eks get-token --cluster-name prod" gave no credentials within 0.3 s',
    );
  });

  it('runs the plugin once and audits with its token', async () => {
    const bin = awsScript(
      'token',
      `[ "$AWS_STS_REGIONAL_ENDPOINTS" = regional ] || exit 3\necho '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","spec":{},"status":{"expirationTimestamp":"2026-12-03T16:00:00Z","token":"${TOKEN}"}}'`,
    );

    const result = await audit(bin);

    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout) as { results: { checkId: string; status: string }[] };
    expect(json.results).toContainEqual(expect.objectContaining({ checkId: 'KP-060', status: 'fail' }));
    expect(api.requests.length).toBeGreaterThan(0);
    expect(api.requests.every((request) => request.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });
});
