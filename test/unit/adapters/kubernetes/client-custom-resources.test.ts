import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { createKubeClient } from '#adapters/kubernetes/client.ts';
import type { KubeguardError } from '#core/errors.ts';
import type { KubeClient } from '#core/remediation/ports.ts';
import { KubeApiDouble, type ResourceType } from '#test/support/kube-api-double.ts';
import type { JsonObject } from '#test/support/kube-api-semantics.ts';
import { secretConsumerObjects } from '#test/support/secret-consumer-objects.ts';

const EXTERNAL_SECRETS: ResourceType = {
  group: 'external-secrets.io',
  version: 'v1',
  resource: 'externalsecrets',
  kind: 'ExternalSecret',
  namespaced: true,
  custom: true,
};
const SECRET_PROVIDER_CLASSES: ResourceType = {
  group: 'secrets-store.csi.x-k8s.io',
  version: 'v1',
  resource: 'secretproviderclasses',
  kind: 'SecretProviderClass',
  namespaced: true,
  custom: true,
};

/** The scenario's custom resources, as an API server serving v1 returns them. */
function customObjects(): JsonObject[] {
  return secretConsumerObjects()
    .filter((object) => object.kind === 'ExternalSecret' || object.kind === 'SecretProviderClass')
    .map((object) =>
      object.kind === 'ExternalSecret' ? { ...object, apiVersion: 'external-secrets.io/v1' } : object,
    ) as JsonObject[];
}

let api: KubeApiDouble | undefined;

async function clientFor(resources: ResourceType[]): Promise<{ api: KubeApiDouble; client: KubeClient }> {
  api = await new KubeApiDouble({
    extraResources: resources,
    objects: resources.length > 0 ? customObjects() : [],
  }).start();
  const config = new KubeConfig();
  config.loadFromOptions(api.kubeConfigOptions());
  return { api, client: createKubeClient({ kubeConfig: config, pageSize: 2 }) };
}

afterEach(async () => {
  await api?.stop();
  api = undefined;
});

describe('Kubernetes client: External Secrets Operator and Secrets Store CSI custom resources', () => {
  it('lists ExternalSecrets in every namespace through pages, with kind and apiVersion set', async () => {
    const { client } = await clientFor([EXTERNAL_SECRETS, SECRET_PROVIDER_CLASSES]);
    const listed = await client.list({ kind: 'ExternalSecret' });
    expect(listed.map((o) => [o.apiVersion, o.kind, o.metadata.name])).toEqual([
      ['external-secrets.io/v1', 'ExternalSecret', 'batch-settings'],
      ['external-secrets.io/v1', 'ExternalSecret', 'catalog-by-name'],
      ['external-secrets.io/v1', 'ExternalSecret', 'ledger'],
      ['external-secrets.io/v1', 'ExternalSecret', 'payments-api'],
      ['external-secrets.io/v1', 'ExternalSecret', 'unrelated'],
    ]);
  });

  it('lists SecretProviderClasses in one namespace and reads one ExternalSecret', async () => {
    const { client, api } = await clientFor([EXTERNAL_SECRETS, SECRET_PROVIDER_CLASSES]);
    const classes = await client.list({ kind: 'SecretProviderClass', namespace: 'payments' });
    expect(classes.map((o) => o.metadata.name)).toEqual(['checkout-aws-secrets', 'other-aws-secrets']);
    expect(api.requests.at(0)?.path).toBe(
      '/apis/secrets-store.csi.x-k8s.io/v1/namespaces/payments/secretproviderclasses',
    );
    const ledger = await client.get({ kind: 'ExternalSecret', namespace: 'payments', name: 'ledger' });
    expect(ledger.spec).toMatchObject({
      dataFrom: [{ extract: { key: expect.stringContaining(':secret:') } }],
    });
  });

  it('sends the force-sync annotation as a merge patch, which custom resources accept', async () => {
    const { client, api } = await clientFor([EXTERNAL_SECRETS, SECRET_PROVIDER_CLASSES]);
    const body = { metadata: { annotations: { 'force-sync': '1772366400' } } };
    const patched = await client.patch(
      { kind: 'ExternalSecret', namespace: 'payments', name: 'payments-api' },
      { type: 'merge', body },
    );
    expect(patched.metadata.annotations).toEqual({ 'force-sync': '1772366400' });
    const [write] = api.writes();
    expect(write).toMatchObject({
      method: 'PATCH',
      path: '/apis/external-secrets.io/v1/namespaces/payments/externalsecrets/payments-api',
      contentType: 'application/merge-patch+json',
      body,
      status: 200,
    });
  });

  it('answers NOT_FOUND when the operator is not installed (the API has no such resource)', async () => {
    const { client } = await clientFor([]);
    const error = await client.list({ kind: 'ExternalSecret' }).then(
      () => expect.unreachable('the list succeeded'),
      (thrown: KubeguardError) => thrown,
    );
    expect(error.code).toBe('NOT_FOUND');
  });
});
