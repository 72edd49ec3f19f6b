import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { GetDetectorCommand, GuardDutyClient, ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { KubeConfig } from '@kubernetes/client-node';
import { mockClient } from 'aws-sdk-client-mock';
import { collectEksClusterSnapshot } from '../../adapters/kubernetes/eks-cluster-snapshot.ts';
import type { PostureAuditRunner } from '../../core/chatops/audit-ports.ts';
import { loadAwsResponse } from './aws-fixtures.ts';
import type { JsonObject, KubeApiDouble, ResourceType } from './kube-api-double.ts';
import { corpusManifest } from './rbac-objects.ts';
import { secretConsumerObjects } from './secret-consumer-objects.ts';

/**
 * A cluster to audit, for tests of `/k8s audit`: the Kubernetes API double serving every kind the
 * posture collector lists (seeded with corpus manifests and the secret-consumers cluster), and EKS,
 * GuardDuty and Secrets Manager answering with the test/fixtures/aws responses (aws-sdk-client-mock).
 */

/** Kinds the collector lists that the double does not serve by default. */
export const POSTURE_EXTRA_RESOURCES: ResourceType[] = [
  { group: 'batch', version: 'v1', resource: 'cronjobs', kind: 'CronJob', namespaced: true },
  { group: 'networking.k8s.io', version: 'v1', resource: 'ingresses', kind: 'Ingress', namespaced: true },
  ...(['mutating', 'validating'] as const).map((type) => ({
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    resource: `${type}webhookconfigurations`,
    kind: `${type === 'mutating' ? 'Mutating' : 'Validating'}WebhookConfiguration`,
    namespaced: false,
  })),
  ...['externalsecrets', 'secretstores'].map((resource) => ({
    group: 'external-secrets.io',
    version: 'v1',
    resource,
    kind: resource === 'externalsecrets' ? 'ExternalSecret' : 'SecretStore',
    namespaced: true,
    custom: true,
  })),
  {
    group: 'external-secrets.io',
    version: 'v1',
    resource: 'clustersecretstores',
    kind: 'ClusterSecretStore',
    namespaced: false,
    custom: true,
  },
  {
    group: 'secrets-store.csi.x-k8s.io',
    version: 'v1',
    resource: 'secretproviderclasses',
    kind: 'SecretProviderClass',
    namespaced: true,
    custom: true,
  },
];

const SERVED = new Set([
  'v1',
  'apps/v1',
  'batch/v1',
  'networking.k8s.io/v1',
  'rbac.authorization.k8s.io/v1',
  'policy/v1',
  ...POSTURE_EXTRA_RESOURCES.map((t) => `${t.group}/${t.version}`),
]);

/** The objects of the audited cluster: corpus manifests the double can serve. */
export function postureClusterObjects(manifests: readonly string[] = ['m08.yaml', 'm16.yaml', 'm18.yaml']) {
  const objects = [
    ...secretConsumerObjects(),
    ...manifests.flatMap(corpusManifest),
  ] as unknown as JsonObject[];
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } } as JsonObject,
    ...objects.filter((o) => SERVED.has(String(o.apiVersion))),
  ];
}

export const eksMock = mockClient(EKSClient);
export const guardDutyMock = mockClient(GuardDutyClient);
export const secretsMock = mockClient(SecretsManagerClient);

/** EKS answers DescribeCluster only (its other reads fail), GuardDuty and Secrets Manager answer. */
export function mockPostureAws(): void {
  eksMock.reset();
  guardDutyMock.reset();
  secretsMock.reset();
  eksMock.on(DescribeClusterCommand).callsFake((input: { name: string }) => {
    const { cluster } = loadAwsResponse<{ cluster: Record<string, unknown> }>(
      'eks-describe-cluster-public-open.json',
    );
    return { cluster: { ...cluster, name: input.name } };
  });
  guardDutyMock.on(ListDetectorsCommand).resolves(loadAwsResponse('guardduty-list-detectors.json'));
  guardDutyMock.on(GetDetectorCommand).resolves(loadAwsResponse('guardduty-get-detector-runtime-off.json'));
  secretsMock
    .on(DescribeSecretCommand)
    .callsFake((input: { SecretId: string }) =>
      loadAwsResponse(
        input.SecretId === 'MyTestSecret'
          ? 'secretsmanager-describe-secret-rotating.json'
          : 'secretsmanager-describe-secret-not-rotating.json',
      ),
    );
}

/** An AWS SDK error as the SDK raises it. */
export function awsError(name: string, message: string, httpStatusCode: number): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode } });
}

/** The posture audit's own EKS collector, reaching the double's cluster with a fixed token. */
export function postureRunner(api: KubeApiDouble, token: string, clock: () => string): PostureAuditRunner {
  const eks = new EKSClient({ region: 'us-east-1' });
  const guardDuty = new GuardDutyClient({ region: 'us-east-1' });
  const secretsManager = new SecretsManagerClient({ region: 'us-east-1' });
  return {
    collect: (cluster, onProgress) =>
      collectEksClusterSnapshot({
        clusterName: cluster.name,
        eks,
        guardDuty,
        secretsManager,
        tokens: { getToken: async () => token },
        clock,
        readKubeletConfig: false,
        onProgress,
        kubeConfigFor: async (_access, tokens) => {
          const kubeConfig = new KubeConfig();
          kubeConfig.loadFromOptions(api.kubeConfigOptions(await tokens.getToken()));
          return kubeConfig;
        },
      }),
  };
}
