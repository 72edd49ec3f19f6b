import type { JsonObject } from './failure.ts';

/**
 * A kubeconfig for the in-memory API: one cluster, one user with a bearer token, one context that
 * is current. The API is plain http on loopback, which kubectl and client-node accept only with
 * `insecure-skip-tls-verify` set.
 */
export interface KubeconfigOptions {
  /** `http://127.0.0.1:PORT`. */
  server: string;
  token: string;
  /** The cluster's and the context's name. */
  cluster: string;
  user: string;
  /** The context's namespace. @default 'default' */
  namespace?: string;
}

/** A name as a plain YAML scalar when it is one, else quoted as JSON (which YAML reads unchanged). */
function scalar(value: string): string {
  return /^[A-Za-z][A-Za-z0-9_-]*$/.test(value) ? value : JSON.stringify(value);
}

/** The kubeconfig file as YAML. */
export function kubeconfigYamlFor(options: KubeconfigOptions): string {
  const q = (value: string) => JSON.stringify(value);
  const cluster = scalar(options.cluster);
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${cluster}\n  cluster: {server: ${q(options.server)}, insecure-skip-tls-verify: true}`,
    'users:',
    `- name: ${scalar(options.user)}\n  user: {token: ${q(options.token)}}`,
    'contexts:',
    `- name: ${cluster}\n  context: {cluster: ${cluster}, user: ${scalar(options.user)}, namespace: ${scalar(options.namespace ?? 'default')}}`,
    `current-context: ${cluster}`,
    '',
  ].join('\n');
}

/** The same for client-node's `KubeConfig.loadFromOptions`. */
export function kubeConfigOptionsFor(options: KubeconfigOptions): JsonObject {
  return {
    clusters: [{ name: options.cluster, server: options.server, skipTLSVerify: true }],
    users: [{ name: options.user, token: options.token }],
    contexts: [
      {
        name: options.cluster,
        cluster: options.cluster,
        user: options.user,
        namespace: options.namespace ?? 'default',
      },
    ],
    currentContext: options.cluster,
  };
}
