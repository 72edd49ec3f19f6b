import { kubeconfigYamlFor } from '../kube-api/kubeconfig.ts';
import { KubeApiServer } from '../kube-api/server.ts';
import { CLUSTER_NAME } from './objects.ts';
import { DEMO_RESOURCES, seedDemoCluster } from './seed.ts';

export { CLUSTER_NAME } from './objects.ts';
export { PAYMENTS_SECRET } from './payments.ts';

export interface DemoClusterOptions {
  /** The loopback port. @default 0 (any free port) */
  port?: number;
  /** Seed the demo workloads; false starts an empty API (no namespaces). @default true */
  seed?: boolean;
  /** The moment the seed's timestamps count back from. @default the current time */
  now?: Date;
  /**
   * A bearer token every request must carry. @default none: any client on loopback may call, so
   * `kubectl --server URL` works without a kubeconfig.
   */
  token?: string;
}

export interface DemoCluster {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** The cluster's name: `sandbox-cluster`. */
  name: string;
  /** A kubeconfig file's text for this cluster (context `sandbox-cluster`, namespace `default`). */
  kubeconfig(): string;
  /** The API itself, to read or change objects directly. */
  api: KubeApiServer;
  stop(): Promise<void>;
}

/** The user the kubeconfig names, and its token when the cluster does not require one. */
const USER = 'sandbox-admin';
const DEFAULT_TOKEN = 'sandbox-admin-token';

/**
 * Starts the demo cluster: the in-memory Kubernetes API on 127.0.0.1, seeded (seed.ts). Requests
 * are not recorded: the sandbox runs for hours.
 */
export async function startDemoCluster(options: DemoClusterOptions = {}): Promise<DemoCluster> {
  const api = new KubeApiServer({
    extraResources: DEMO_RESOURCES,
    recordRequests: false,
    ...(options.token === undefined ? {} : { token: options.token }),
  });
  if (options.seed !== false) seedDemoCluster(api, options.now ?? new Date());
  await api.start(options.port ?? 0);
  const url = api.url;
  return {
    url,
    name: CLUSTER_NAME,
    api,
    kubeconfig: () =>
      kubeconfigYamlFor({
        server: url,
        token: options.token ?? DEFAULT_TOKEN,
        cluster: CLUSTER_NAME,
        user: USER,
      }),
    stop: () => api.stop(),
  };
}
