import { beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '#core/model/kube-object.ts';
import type { RunningContainer } from '#core/supply-chain/image-finding.ts';
import { manifestDigest, runningContainersOf } from '#core/supply-chain/running-images.ts';
import { type JsonObject, KubeApiDouble } from '../../../support/kube-api-double.ts';
import { deploymentPods, digestOf, type PodSpecInput, pod } from './image-pods.ts';

const CLUSTER = { name: 'prod-eu', account: '222233334444', region: 'eu-central-1' };
const OLD = digestOf('old');
const NEW = digestOf('new');
const REPO = '123456789012.dkr.ecr.eu-central-1.amazonaws.com/inspector2';

/** The objects as the Kubernetes API double serves them (pods with their kubelet status). */
async function listed(objects: readonly KubeObject[]): Promise<KubeObject[]> {
  const api = await new KubeApiDouble({ objects: objects as unknown as JsonObject[] }).start();
  try {
    const paths = [
      '/api/v1/pods',
      '/apis/apps/v1/replicasets',
      '/apis/apps/v1/deployments',
      '/apis/batch/v1/jobs',
    ];
    const lists = await Promise.all(
      paths.map(async (path) => {
        const response = await fetch(`${api.url}${path}`, { headers: { authorization: 'Bearer t' } });
        const list = (await response.json()) as { kind: string; items: KubeObject[] };
        // A list's items carry no kind; the reader sets it (as adapters/kubernetes does).
        return list.items.map((item) => ({ ...item, kind: list.kind.replace(/List$/, '') }));
      }),
    );
    return lists.flat();
  } finally {
    await api.stop();
  }
}

describe('runningContainersOf', () => {
  let fromApi: KubeObject[];
  const tagMoved = deploymentPods('payments', 'web', [
    { name: 'web-7d4-a', image: `${REPO}:ubuntu_latest`, imageID: `${REPO}@${OLD}` },
    { name: 'web-7d4-b', image: `${REPO}:ubuntu_latest`, imageID: `docker-pullable://${REPO}@${NEW}` },
  ]);

  beforeAll(async () => {
    fromApi = await listed(tagMoved);
  });

  it('resolves a mutable tag through each pod’s imageID: the same tag, two digests (read from the API double)', () => {
    const base = {
      cluster: 'prod-eu',
      account: '222233334444',
      region: 'eu-central-1',
      namespace: 'payments',
      container: 'app',
      workload: 'deployment/web',
    };
    expect(runningContainersOf(CLUSTER, fromApi)).toEqual([
      { ...base, pod: 'web-7d4-a', image: `${REPO}:ubuntu_latest`, digest: OLD },
      { ...base, pod: 'web-7d4-b', image: `${REPO}:ubuntu_latest`, digest: NEW },
    ] satisfies RunningContainer[]);
  });

  it('reads init and ephemeral containers from their own statuses', () => {
    const spec: PodSpecInput = {
      name: 'job-pod',
      image: `${REPO}:tool`,
      imageID: `${REPO}@${NEW}`,
      init: { image: `${REPO}:migrate`, imageID: `${REPO}@${OLD}` },
      ephemeral: {
        image: `busybox@${digestOf('debug')}`,
        imageID: `docker.io/library/busybox@${digestOf('debug')}`,
      },
    };
    const found = runningContainersOf({ name: 'c' }, [pod('ops', spec)]);
    expect(found.map((c) => [c.container, c.digest, c.workload])).toEqual([
      ['app', NEW, 'pod/job-pod'],
      ['init', OLD, 'pod/job-pod'],
      ['debugger', digestOf('debug'), 'pod/job-pod'],
    ]);
    expect(found[0]).toEqual({
      cluster: 'c',
      namespace: 'ops',
      pod: 'job-pod',
      container: 'app',
      workload: 'pod/job-pod',
      image: `${REPO}:tool`,
      digest: NEW,
    });
  });

  it('never matches on the runtime’s image config id; falls back to a digest pinned in the spec', () => {
    const configId = digestOf('config');
    const objects = [
      pod('a', { name: 'bare', image: `${REPO}:x`, imageID: configId }),
      pod('a', { name: 'docker', image: `${REPO}:x`, imageID: `docker://${configId}` }),
      pod('a', { name: 'pinned', image: `${REPO}@${OLD}`, imageID: configId }),
      pod('a', { name: 'pending', image: `${REPO}:1.0@${NEW}` }),
      pod('a', { name: 'nothing', image: `${REPO}:x` }),
    ];
    expect(runningContainersOf({ name: 'c' }, objects).map((c) => [c.pod, c.digest])).toEqual([
      ['pinned', OLD],
      ['pending', NEW],
    ]);
  });

  it('ignores digests that are not sha256 and 64 lowercase hex digits, and pods that finished', () => {
    const objects = [
      pod('a', { name: 'upper', image: 'x', imageID: `x@${OLD.toUpperCase().replace('SHA256', 'sha256')}` }),
      pod('a', { name: 'short', image: 'x', imageID: `x@${OLD.slice(0, -1)}` }),
      pod('a', { name: 'sha512', image: 'x', imageID: `x@sha512:${'a'.repeat(128)}` }),
      pod('a', { name: 'done', image: 'x', imageID: `x@${OLD}`, phase: 'Succeeded' }),
      pod('a', { name: 'failed', image: 'x', imageID: `x@${OLD}`, phase: 'Failed' }),
    ];
    expect(runningContainersOf({ name: 'c' }, objects)).toEqual([]);
  });

  it('names the top of the owner chain, read or not: a CronJob’s Job pod is cronjob/<name>', () => {
    const job: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: 'backup-28000',
        namespace: 'ops',
        uid: 'job-uid',
        ownerReferences: [
          { apiVersion: 'batch/v1', kind: 'CronJob', name: 'backup', uid: 'cj', controller: true },
        ],
      },
    };
    const jobPod = pod('ops', { name: 'backup-28000-x', image: 'x', imageID: `x@${OLD}` }, job);
    const orphan = pod(
      'ops',
      { name: 'rs-pod', image: 'x', imageID: `x@${OLD}` },
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: { name: 'gone-5f', namespace: 'ops', uid: 'rs' },
      },
    );
    expect(runningContainersOf({ name: 'c' }, [job, jobPod, orphan]).map((c) => c.workload)).toEqual([
      'cronjob/backup',
      'replicaset/gone-5f',
    ]);
  });

  it('manifestDigest reads both runtime forms', () => {
    expect(manifestDigest(`${REPO}@${OLD}`)).toBe(OLD);
    expect(manifestDigest(`docker-pullable://${REPO}@${OLD}`)).toBe(OLD);
    expect(manifestDigest(OLD)).toBeUndefined();
    expect(manifestDigest(`docker://${OLD}`)).toBeUndefined();
    expect(manifestDigest(undefined)).toBeUndefined();
  });
});
