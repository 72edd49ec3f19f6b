import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRunningImageSource } from '#adapters/kubernetes/running-images.ts';
import type { ClusterConfig } from '#core/config/schema.ts';
import { type JsonObject, KubeApiDouble } from '#test/support/kube-api-double.ts';
import { deploymentPods, digestOf } from '../../core/supply-chain/image-pods.ts';

/** The running-image reader over the Kubernetes API double: what it lists, what it reports, what it keeps. */

const REPO = '123456789012.dkr.ecr.eu-central-1.amazonaws.com/shop';
const DIGEST = digestOf('shop:1.4.2');
const CLUSTER: ClusterConfig = {
  name: 'prod-eu',
  region: 'eu-central-1',
  account: '222233334444',
  auditLogGroup: '',
};

let api: KubeApiDouble;
let now: number;
beforeEach(async () => {
  const objects = deploymentPods('shop', 'web', [
    { name: 'web-7d4-a', image: `${REPO}:1.4.2`, imageID: `${REPO}@${DIGEST}` },
  ]);
  api = await new KubeApiDouble({ objects: objects as unknown as JsonObject[] }).start();
  now = 1_000_000;
});
afterEach(() => api.stop());

function source(cacheMs?: number) {
  return createRunningImageSource({
    clusters: [CLUSTER],
    now: () => now,
    ...(cacheMs === undefined ? {} : { cacheMs }),
    access: async () => {
      const config = new KubeConfig();
      config.loadFromOptions(api.kubeConfigOptions());
      return config;
    },
  });
}

const podLists = () => api.requests.filter((r) => r.method === 'GET' && r.path === '/api/v1/pods').length;

describe('createRunningImageSource', () => {
  it('lists pods with their owners and names each container by its workload, in the cluster’s account and region', async () => {
    const { containers, unreadable } = await source().runningContainers();

    expect(unreadable).toEqual([]);
    expect(containers).toEqual([
      {
        cluster: 'prod-eu',
        account: '222233334444',
        region: 'eu-central-1',
        namespace: 'shop',
        pod: 'web-7d4-a',
        container: 'app',
        workload: expect.stringMatching(/web/),
        image: `${REPO}:1.4.2`,
        digest: DIGEST,
      },
    ]);
    const listed = api.requests.filter((r) => r.method === 'GET').map((r) => r.path);
    expect(listed).toEqual(
      expect.arrayContaining(['/api/v1/pods', '/apis/apps/v1/replicasets', '/apis/batch/v1/jobs']),
    );
  });

  it('reports a cluster whose pods it may not list, with the reason', async () => {
    api.forbid({ verb: 'list', resource: 'pods' });

    const { containers, unreadable } = await source().runningContainers();

    expect(containers).toEqual([]);
    expect(unreadable).toEqual([{ cluster: 'prod-eu', reason: expect.stringMatching(/pods/) }]);
  });

  it('still finds the digest when the owners cannot be listed', async () => {
    api.forbid({ verb: 'list', resource: 'replicasets' });

    const { containers, unreadable } = await source().runningContainers();

    expect(unreadable).toEqual([]);
    expect(containers.map((c) => c.digest)).toEqual([DIGEST]);
  });

  it('keeps what it listed for the cache’s time, then lists again', async () => {
    const images = source(60_000);

    await images.runningContainers();
    now += 59_999;
    await images.runningContainers();
    expect(podLists()).toBe(1);

    now += 1;
    await images.runningContainers();
    expect(podLists()).toBe(2);
  });
});
