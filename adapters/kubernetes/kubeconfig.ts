import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { KubeConfig, type User } from '@kubernetes/client-node';
import { ConfigError, KubeguardError } from '#core/errors.ts';

/** The credentials of a kubeconfig's user could not be obtained (its exec plugin failed or hung). */
export class CredentialError extends KubeguardError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('UPSTREAM', message, options);
    this.name = 'CredentialError';
  }
}

/**
 * How long an exec credential plugin (`aws eks get-token`) may take. Without AWS credentials the AWS
 * CLI walks its whole provider chain, instance metadata included, and took ~15 s to fail (issue 14);
 * a token normally arrives in 1–2 s.
 */
export const EXEC_TIMEOUT_MS = 5_000;

/**
 * The KubeConfig of a local user: `path` (or $KUBECONFIG / ~/.kube/config when omitted, as kubectl
 * reads them) and optionally one of its contexts. With `execTimeoutMs`, a user whose token comes from
 * an exec plugin gets it now, once, time-boxed (see resolveExecCredential) instead of on every request.
 */
export function kubeConfigFromFile(
  options: { path?: string; context?: string; execTimeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (options.path === undefined) kubeConfig.loadFromDefault();
  else kubeConfig.loadFromFile(options.path);
  if (options.context !== undefined) {
    const names = kubeConfig.getContexts().map((context) => context.name);
    if (!names.includes(options.context)) {
      throw new ConfigError(
        `kubeconfig context "${options.context}" not found; contexts in ${options.path ?? 'the default kubeconfig'}: ${names.join(', ') || '(none)'}`,
      );
    }
    kubeConfig.setCurrentContext(options.context);
  }
  if (kubeConfig.getCurrentCluster() === null) {
    throw new ConfigError(
      `kubeconfig ${options.path ?? '(default)'} has no current cluster; pass --context or set current-context`,
    );
  }
  if (options.execTimeoutMs !== undefined) {
    const base = options.path === undefined ? process.cwd() : dirname(options.path);
    resolveExecCredential(kubeConfig, {
      timeoutMs: options.execTimeoutMs,
      base,
      env: options.env ?? process.env,
    });
  }
  return kubeConfig;
}

/**
 * Runs the current user's exec credential plugin once and puts the token it returns in the
 * KubeConfig, failing fast and by name: a command that is not on PATH, a plugin that exits non-zero
 * (its last stderr lines are quoted, e.g. "Unable to locate credentials"), or one that gives nothing
 * within `timeoutMs`. client-node would otherwise run the plugin synchronously on each request.
 */
export function resolveExecCredential(
  kubeConfig: KubeConfig,
  options: { timeoutMs: number; base: string; env: NodeJS.ProcessEnv },
): void {
  const user = kubeConfig.getCurrentUser();
  const exec = user?.exec as
    | { command?: string; args?: string[]; env?: { name: string; value: string }[]; apiVersion?: string }
    | undefined;
  if (user === null || exec?.command === undefined || exec.command === '') return;
  const shown = [exec.command, ...(exec.args ?? [])].join(' ');
  // kubectl resolves a command with a slash against the kubeconfig's directory, others on PATH.
  const command = exec.command.includes('/') ? resolve(options.base, exec.command) : exec.command;
  if (findExecutable(command, options.env.PATH ?? '') === undefined) {
    throw new CredentialError(
      `the kubeconfig user "${user.name}" gets its credentials from "${exec.command}", which is not ${exec.command.includes('/') ? 'an executable file' : 'on PATH'}; install it (for EKS: the AWS CLI v2) or use a kubeconfig whose user has a token`,
    );
  }
  const env: NodeJS.ProcessEnv = { ...options.env };
  for (const variable of exec.env ?? []) env[variable.name] = variable.value;
  env.KUBERNETES_EXEC_INFO = JSON.stringify({
    apiVersion: exec.apiVersion ?? 'client.authentication.k8s.io/v1beta1',
    kind: 'ExecCredential',
    spec: { interactive: false },
  });
  const run = spawnSync(command, exec.args ?? [], {
    env,
    timeout: options.timeoutMs,
    killSignal: 'SIGKILL',
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if ((run.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT') {
    throw new CredentialError(
      `"${shown}" gave no credentials within ${options.timeoutMs / 1000} s (for aws eks get-token this is what missing AWS credentials look like: set AWS_PROFILE, run aws sso login or aws configure)`,
    );
  }
  if (run.error !== undefined) {
    throw new CredentialError(`"${shown}" could not be run: ${run.error.message}`, { cause: run.error });
  }
  if (run.status !== 0) {
    const said = lastLines(run.stderr, 3);
    throw new CredentialError(
      `"${shown}" failed (exit ${run.status ?? run.signal})${said === '' ? '' : `: ${said}`}; check the credentials it needs (for EKS: AWS_PROFILE, aws sso login, aws configure)`,
    );
  }
  const status = credentialStatus(run.stdout);
  if (status === undefined) {
    throw new CredentialError(
      `"${shown}" printed no ExecCredential with status.token or a client certificate`,
    );
  }
  const resolved: User = { name: user.name, ...status };
  kubeConfig.loadFromOptions({
    clusters: kubeConfig.getClusters(),
    users: kubeConfig.getUsers().map((existing) => (existing.name === user.name ? resolved : existing)),
    contexts: kubeConfig.getContexts(),
    currentContext: kubeConfig.getCurrentContext(),
  });
}

function credentialStatus(stdout: string): Pick<User, 'token' | 'certData' | 'keyData'> | undefined {
  try {
    const status = (JSON.parse(stdout) as { status?: Record<string, unknown> }).status ?? {};
    if (typeof status.token === 'string' && status.token !== '') return { token: status.token };
    if (typeof status.clientCertificateData === 'string' && typeof status.clientKeyData === 'string') {
      return { certData: status.clientCertificateData, keyData: status.clientKeyData };
    }
  } catch {
    // not JSON: reported by the caller as "no ExecCredential"
  }
  return undefined;
}

function lastLines(text: string, count: number): string {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .slice(-count)
    .join(' ');
}

/** The executable a command names: itself when it is a path, else the first match on PATH. */
function findExecutable(command: string, path: string): string | undefined {
  const candidates = isAbsolute(command)
    ? [command]
    : path
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, command));
  return candidates.find((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
