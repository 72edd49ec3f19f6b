import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CliRun, runCli } from '#test/support/cli.ts';
import { type JsonObject, KubeApiDouble, POSTURE_RESOURCES } from '#test/support/kube-api-double.ts';
import { corpusManifest } from '#test/support/rbac-objects.ts';

/**
 * `kubeguard audit --kubeconfig` against the Kubernetes API double on loopback, seeded with public
 * corpus manifests: a privileged Pod (m08, KP-060), a Pod with its ServiceAccount (m16) and a cluster-admin
 * ClusterRoleBinding to a User (m18, KP-040).
 */
const TOKEN = 'kubeguard-cli-token';
const WORK = mkdtempSync(join(tmpdir(), 'kubeguard-audit-kubeconfig-'));

interface JsonOutput {
  summary: { pass: number; fail: number; skip: number };
  results: { checkId: string; status: string; object: { kind: string; name: string }; message: string }[];
}

async function audit(args: string[]): Promise<CliRun> {
  return runCli(['audit', ...args], { cwd: WORK });
}

function resultsOf(stdout: string, checkId: string): JsonOutput['results'] {
  return (JSON.parse(stdout) as JsonOutput).results.filter((result) => result.checkId === checkId);
}

describe('kubeguard audit --kubeconfig (Kubernetes API double on loopback)', () => {
  const seeded = ['m08.yaml', 'm16.yaml', 'm18.yaml'].flatMap(corpusManifest) as unknown as JsonObject[];
  const api = new KubeApiDouble({
    token: TOKEN,
    extraResources: [...POSTURE_RESOURCES],
    objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }, ...seeded],
  });
  let kubeconfig: string;

  beforeAll(async () => {
    await api.start();
    kubeconfig = join(WORK, 'kubeconfig');
    writeFileSync(kubeconfig, api.kubeconfigYaml());
  });

  beforeEach(() => {
    api.allowAll();
    api.requests.length = 0;
  });

  afterAll(async () => {
    await api.stop();
    rmSync(WORK, { recursive: true, force: true });
  });

  it('audits the objects of the current context and exits 1 on their failures', async () => {
    const result = await audit(['--kubeconfig', kubeconfig, '--format', 'json']);

    expect(result.code).toBe(1);
    expect(resultsOf(result.stdout, 'KP-060')).toContainEqual(
      expect.objectContaining({
        status: 'fail',
        object: expect.objectContaining({ kind: 'Pod', name: 'nginx' }),
      }),
    );
    expect(resultsOf(result.stdout, 'KP-040')).toContainEqual(
      expect.objectContaining({
        status: 'fail',
        object: { kind: 'ClusterRoleBinding', name: 'test' },
        message: expect.stringContaining('User testuser'),
      }),
    );
    expect(result.stderr).toBe('');
  });

  it('reads every list with the kubeconfig token and never writes', async () => {
    await audit(['--kubeconfig', kubeconfig, '--format', 'json']);

    const lists = api.requests.filter((request) => request.verb === 'list');
    expect(lists.map((request) => request.resource)).toEqual(
      expect.arrayContaining(['pods', 'deployments', 'clusterrolebindings', 'serviceaccounts', 'ingresses']),
    );
    expect(api.requests.every((request) => request.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(api.writes()).toEqual([]);
  });

  it('skips the AWS-side checks with the reason: the Kubernetes API is all it reads', async () => {
    const result = await audit(['--kubeconfig', kubeconfig, '--format', 'json']);

    expect(resultsOf(result.stdout, 'KP-001')).toEqual([
      expect.objectContaining({ status: 'skip', message: expect.stringContaining('no AWS access') }),
    ]);
  });

  it('uses the context named by --context', async () => {
    const twoContexts = join(WORK, 'two-contexts');
    writeFileSync(
      twoContexts,
      api
        .kubeconfigYaml()
        .replace('current-context: double', 'current-context: gone')
        .replace(
          'clusters:\n',
          'clusters:\n- name: gone\n  cluster: {server: "http://127.0.0.1:9", insecure-skip-tls-verify: true}\n',
        )
        .replace('contexts:\n', 'contexts:\n- name: gone\n  context: {cluster: gone, user: kubeguard}\n'),
    );

    const result = await audit(['--kubeconfig', twoContexts, '--context', 'double', '--format', 'json']);

    expect(result.code).toBe(1);
    expect(resultsOf(result.stdout, 'KP-060')).toContainEqual(
      expect.objectContaining({ status: 'fail', object: expect.objectContaining({ name: 'nginx' }) }),
    );
  });

  it('answers an unknown --context with exit 2, listing the contexts there are', async () => {
    const result = await audit(['--kubeconfig', kubeconfig, '--context', 'prod']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('kubeconfig context "prod" not found');
    expect(result.stderr).toContain('double');
  });

  it('warns about a type it may not list and skips only the checks that read it', async () => {
    api.forbid({ verb: 'list', resource: 'clusterrolebindings' });

    const result = await audit(['--kubeconfig', kubeconfig, '--format', 'json']);

    expect(result.stderr).toContain(
      'warning: rolebindings unavailable (no permission to list clusterrolebindings)',
    );
    expect(resultsOf(result.stdout, 'KP-040')).toEqual([
      expect.objectContaining({
        status: 'skip',
        message: expect.stringContaining('no permission to list clusterrolebindings'),
      }),
    ]);
    expect(resultsOf(result.stdout, 'KP-060')).toContainEqual(expect.objectContaining({ status: 'fail' }));
  });

  it('exits 3 (unreachable) when nothing could be read, instead of passing an empty audit', async () => {
    const wrongToken = join(WORK, 'wrong-token');
    writeFileSync(wrongToken, api.kubeconfigYaml('not-the-token'));

    const result = await audit(['--kubeconfig', wrongToken]);

    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`could not read anything from ${api.url}`);
    expect(result.stderr).toContain('401');
  });
});
