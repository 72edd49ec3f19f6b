import { describe, expect, it } from 'vitest';
import { InvalidEventError } from '../../../../core/errors.ts';
import { isNewerRevision, normalizeGuardDutyEvent } from '../../../../core/guardduty/normalize.ts';
import type { Detection } from '../../../../core/model/detection.ts';
import { fixtureWith, loadFixture } from '../../../support/fixtures.ts';

type GuardDutyEvent = { detail: Record<string, unknown> } & Record<string, unknown>;

function detectionOf(event: unknown): Detection {
  const result = normalizeGuardDutyEvent(event);
  if (result.kind !== 'detection') throw new Error(`expected a detection, got ignored: ${result.reason}`);
  return result.detection;
}

function detectionFrom(fixture: string, overrides: Record<string, unknown> = {}): Detection {
  return detectionOf(fixtureWith(fixture, overrides));
}

function errorOf(event: unknown): InvalidEventError {
  try {
    normalizeGuardDutyEvent(event);
  } catch (error) {
    if (error instanceof InvalidEventError) return error;
    throw error;
  }
  throw new Error('expected an InvalidEventError');
}

describe('GuardDuty normalization of every fixture', () => {
  it('privileged container (real finding): cluster, namespace, pod, image, principal, caller IP', () => {
    expect(detectionFrom('guardduty-eks-privileged-container.json')).toMatchObject({
      ruleId: 'KD-001',
      findingType: 'PrivilegeEscalation:Kubernetes/PrivilegedContainer',
      severity: 'medium',
      mitre: ['T1610', 'T1611'],
      source: 'guardduty',
      cluster: 'guardduty-blueprint',
      namespace: 'argocd',
      workload: 'pod/privileged-pod',
      pod: 'privileged-pod',
      container: 'app',
      image: 'centos',
      principal: 'system:serviceaccount:argocd:argocd-application-controller',
      sourceIps: ['10.0.205.129'],
      userAgent: 'argocd-application-controller/v0.0.0 (linux/amd64) kubernetes/$Format',
      account: '123456789012',
      region: 'us-east-1',
      eventId: 'f2c3859c6ca25b3057d13470a992bbd7',
      firstSeen: '2023-03-22T21:27:18.186Z',
      lastSeen: '2023-03-22T21:27:18.630Z',
      updatedAt: '2023-03-22T21:28:07.748Z',
      count: 1,
      sample: false,
      summary:
        'A privileged container with root level access was launched on EKS Cluster guardduty-blueprint.',
      evidence: {
        guardDutyType: 'PrivilegeEscalation:Kubernetes/PrivilegedContainer',
        requestUri: '/api/v1/namespaces/argocd/pods',
        verb: 'create',
        statusCode: '201',
        privilegedContainers: 'app',
      },
    });
  });

  it('privileged container: an empty country and UNKNOWN organisation add no evidence', () => {
    const evidence = detectionFrom('guardduty-eks-privileged-container.json').evidence;
    expect(evidence).not.toHaveProperty('sourceCountry');
    expect(evidence).not.toHaveProperty('sourceOrganization');
  });

  it('exec in kube-system: maps to KD-021 with pod, container and the exec request as evidence', () => {
    expect(detectionFrom('guardduty-eks-exec-in-kube-system-pod.json')).toMatchObject({
      ruleId: 'KD-021',
      severity: 'medium',
      mitre: ['T1609'],
      cluster: 'prod-cluster',
      namespace: 'kube-system',
      pod: 'aws-node-7xk2p',
      workload: 'pod/aws-node-7xk2p',
      container: 'aws-node',
      principal: 'arn:aws:sts::111122223333:assumed-role/DevOpsRole/jdoe',
      sourceIps: ['198.51.100.23'],
      consoleUrl:
        'https://us-east-1.console.aws.amazon.com/guardduty/home?region=us-east-1#/findings?fId=8ec6f2b1a9d04c7e9b1f3a2d5c4e6f70',
      evidence: {
        requestUri:
          '/api/v1/namespaces/kube-system/pods/aws-node-7xk2p/exec?command=sh&container=aws-node&stdin=true&stdout=true&tty=true',
        verb: 'create',
        statusCode: '101',
        subresource: 'exec',
        sourceCountry: 'United States',
        hostNetwork: 'true',
      },
    });
  });

  it('anonymous access granted: the role binding is the object acted on; no pod', () => {
    const detection = detectionFrom('guardduty-eks-anonymous-access-granted.json');
    expect(detection).toMatchObject({
      ruleId: 'KD-050',
      severity: 'high',
      cluster: 'prod-cluster',
      workload: 'clusterrolebinding/anon-view',
      principal: 'arn:aws:sts::111122223333:assumed-role/DevOpsRole/jdoe',
      evidence: { roleRef: 'ClusterRole/view', resourceName: 'anon-view' },
    });
    expect(detection.pod).toBeUndefined();
    expect(detection.namespace).toBeUndefined();
  });

  it('Tor caller (sample finding): sample flag, count 2, no workload, empty user agent dropped', () => {
    const detection = detectionFrom('guardduty-eks-discovery-tor-ip-caller.json');
    expect(detection).toMatchObject({
      ruleId: 'KD-065',
      severity: 'medium',
      sample: true,
      count: 2,
      cluster: 'GeneratedFindingEKSClusterName',
      principal: 'GeneratedFindingUserName',
      sourceIps: ['175.16.199.1'],
      firstSeen: '2022-11-17T09:33:19.000Z',
      lastSeen: '2022-11-22T12:22:20.000Z',
      evidence: { threatNames: 'GeneratedFindingThreatName', threatList: 'GeneratedFindingThreatListName' },
    });
    expect(detection.userAgent).toBeUndefined();
    expect(detection.pod).toBeUndefined();
  });

  it('successful anonymous access (sample finding): KD-060, high, anonymous principal, evidence null tolerated', () => {
    expect(detectionFrom('guardduty-eks-persistence-successful-anonymous-access.json')).toMatchObject({
      ruleId: 'KD-060',
      severity: 'high',
      sample: true,
      principal: 'system:anonymous',
      sourceIps: ['175.16.199.1'],
    });
  });

  it('runtime new binary: unmapped type as rule id, process, node and file evidence', () => {
    const detection = detectionFrom('guardduty-eks-runtime-new-binary-executed.json');
    expect(detection).toMatchObject({
      ruleId: 'Execution:Runtime/NewBinaryExecuted',
      findingType: 'Execution:Runtime/NewBinaryExecuted',
      mitre: [],
      severity: 'medium',
      cluster: 'prod-cluster',
      namespace: 'payments',
      pod: 'payments-api-6d9f7b8c5-x2k4p',
      container: 'api',
      image: '111122223333.dkr.ecr.us-east-1.amazonaws.com/payments-api:1.4.2',
      node: 'ip-10-0-12-34.ec2.internal',
      process: { name: 'xmrig', executablePath: '/tmp/xmrig', pid: 30299, user: 'root' },
      evidence: {
        filePath: '/tmp/xmrig',
        modifyingProcess: '/usr/bin/curl',
        parentProcess: '/bin/sh',
        instanceId: 'i-0abc1234def567890',
        serviceAccount: 'payments-api',
      },
      sourceIps: [],
    });
    expect(detection.principal).toBeUndefined();
    expect(detection.sample).toBe(false);
  });

  it('runtime host mount: mount source and target as evidence', () => {
    expect(detectionFrom('guardduty-eks-runtime-container-mounts-host-directory.json')).toMatchObject({
      ruleId: 'PrivilegeEscalation:Runtime/ContainerMountsHostDirectory',
      process: { name: 'mount', executablePath: '/usr/bin/mount', pid: 30412, user: 'root' },
      evidence: { mountSource: '/dev/nvme0n1p1', mountTarget: '/mnt/host', fileSystemType: 'xfs' },
    });
  });

  it('runtime: the example command line of the runtime context becomes the process command line', () => {
    const detection = detectionFrom('guardduty-eks-runtime-new-binary-executed.json', {
      detail: { service: { runtimeDetails: { context: { commandLineExample: '/tmp/xmrig -o pool:3333' } } } },
    });
    expect(detection.process?.commandLine).toBe('/tmp/xmrig -o pool:3333');
  });
});

describe('GuardDuty severity bands', () => {
  it.each([
    [1, 'low'],
    [3.9, 'low'],
    [4.0, 'medium'],
    [6.9, 'medium'],
    [7.0, 'high'],
    [8.9, 'high'],
    [9.0, 'critical'],
    [10, 'critical'],
  ])('score %d is %s', (severity, expected) => {
    expect(
      detectionFrom('guardduty-eks-exec-in-kube-system-pod.json', { detail: { severity } }).severity,
    ).toBe(expected);
  });
});

describe('GuardDuty findings that are not about EKS', () => {
  it.each(['Instance', 'S3Bucket', 'ECSCluster', 'Container'])(
    'ignores resource type %s with a reason',
    (type) => {
      const event = fixtureWith('guardduty-eks-runtime-new-binary-executed.json', {
        detail: { resource: { resourceType: type } },
      });
      const result = normalizeGuardDutyEvent(event);
      expect(result.kind).toBe('ignored');
      expect(result.kind === 'ignored' && result.reason).toContain(`"${type}"`);
      expect(result.kind === 'ignored' && result.reason).toContain('Execution:Runtime/NewBinaryExecuted');
    },
  );
});

describe('GuardDuty envelope validation', () => {
  it('names a missing detail.type and the value received', () => {
    const event = loadFixture<GuardDutyEvent>('guardduty-eks-exec-in-kube-system-pod.json');
    delete event.detail.type;
    const error = errorOf(event);
    expect(error.code).toBe('INVALID_EVENT');
    expect(error.message).toContain('"detail.type"');
    expect(error.message).toContain('missing');
  });

  it.each([
    ['source', { source: 'aws.securityhub' }, '"event.source"', '"aws.securityhub"'],
    [
      'detail-type',
      { 'detail-type': 'Security Hub Findings - Imported' },
      '"event.detail-type"',
      'Security Hub',
    ],
    ['severity', { detail: { severity: 'HIGH' } }, '"detail.severity"', '"HIGH"'],
    ['id', { detail: { id: '' } }, '"detail.id"', '""'],
    ['resource', { detail: { resource: null } }, '"detail.resource"', 'null'],
    ['resourceType', { detail: { resource: { resourceType: 42 } } }, '"detail.resource.resourceType"', '42'],
  ])('rejects a wrong %s, naming the field and the value', (_name, overrides, field, received) => {
    const error = errorOf(fixtureWith('guardduty-eks-exec-in-kube-system-pod.json', overrides));
    expect(error.message).toContain(field);
    expect(error.message).toContain(received);
  });

  it.each([null, 'text', [], 42])('rejects a non-object event (%j)', (event) => {
    expect(errorOf(event).message).toContain('"event"');
  });

  it('rejects an event without detail', () => {
    const event = loadFixture<Record<string, unknown>>('guardduty-eks-exec-in-kube-system-pod.json');
    delete event.detail;
    expect(errorOf(event).message).toContain('"detail"');
  });
});

describe('GuardDuty real-data oddities', () => {
  it('takes the cluster from a real EKS ARN when the name is missing', () => {
    const detection = detectionFrom('guardduty-eks-exec-in-kube-system-pod.json', {
      detail: { resource: { eksClusterDetails: { name: null } } },
    });
    expect(detection.cluster).toBe('prod-cluster');
  });

  it('does not crash on a sample "ARN" that is not an ARN, and leaves the cluster unknown', () => {
    const detection = detectionFrom('guardduty-eks-discovery-tor-ip-caller.json', {
      detail: { resource: { eksClusterDetails: { name: '' } } },
    });
    expect(detection.cluster).toBeUndefined();
  });

  it('detects a sample finding flagged only inside additionalInfo.value', () => {
    const detection = detectionFrom('guardduty-eks-exec-in-kube-system-pod.json', {
      detail: { service: { additionalInfo: { value: '{"sample":true}', type: 'default' } } },
    });
    expect(detection.sample).toBe(true);
  });

  it('treats malformed additionalInfo.value JSON as not a sample', () => {
    const detection = detectionFrom('guardduty-eks-exec-in-kube-system-pod.json', {
      detail: { service: { additionalInfo: { value: '{not json', type: 'default' } } },
    });
    expect(detection.sample).toBe(false);
  });

  it('finds the pod from the API call when kubernetesWorkloadDetails is null', () => {
    const detection = detectionFrom('guardduty-eks-exec-in-kube-system-pod.json', {
      detail: { resource: { kubernetesDetails: { kubernetesWorkloadDetails: null } } },
    });
    expect(detection).toMatchObject({
      namespace: 'kube-system',
      pod: 'aws-node-7xk2p',
      workload: 'pod/aws-node-7xk2p',
    });
    expect(detection.container).toBeUndefined();
  });

  it('names the workload <kind>/<name> for a deployment-level finding', () => {
    const detection = detectionFrom('guardduty-eks-privileged-container.json', {
      detail: {
        resource: { kubernetesDetails: { kubernetesWorkloadDetails: { type: 'deployments', name: 'web' } } },
      },
    });
    expect(detection.workload).toBe('deployment/web');
    expect(detection.pod).toBeUndefined();
  });

  it('falls back to the finding time when service timestamps are missing, and count 1', () => {
    const detection = detectionFrom('guardduty-eks-exec-in-kube-system-pod.json', {
      detail: { service: { eventFirstSeen: null, eventLastSeen: null, count: null } },
    });
    expect(detection).toMatchObject({
      firstSeen: '2024-05-14T09:12:31.402Z',
      lastSeen: '2024-05-14T09:12:31.402Z',
      count: 1,
    });
  });

  it('keeps the title when there is no description', () => {
    const detection = detectionFrom('guardduty-eks-exec-in-kube-system-pod.json', {
      detail: { description: null },
    });
    expect(detection.summary).toBe(
      'Command executed inside a pod in kube-system namespace on EKS Cluster prod-cluster.',
    );
  });

  it('links no console page for a region that is not an AWS region', () => {
    const detection = detectionFrom('guardduty-eks-exec-in-kube-system-pod.json', {
      region: 'evil.example/#',
      detail: { region: 'evil.example/#' },
    });
    expect(detection.consoleUrl).toBeUndefined();
  });

  it('keeps hostile strings as data (escaping is the view’s job) but clips megabyte values', () => {
    const hostile = `<!channel> ${'x'.repeat(1_000_000)}`;
    const detection = detectionFrom('guardduty-eks-exec-in-kube-system-pod.json', {
      detail: { resource: { kubernetesDetails: { kubernetesWorkloadDetails: { name: hostile } } } },
    });
    expect(detection.pod?.startsWith('<!channel> xxx')).toBe(true);
    expect(detection.pod?.length).toBeLessThanOrEqual(4096);
  });
});

describe('GuardDuty secret findings', () => {
  const secretsAccessed = {
    detail: {
      type: 'CredentialAccess:Kubernetes/AnomalousBehavior.SecretsAccessed',
      resource: { kubernetesDetails: { kubernetesWorkloadDetails: null } },
      service: {
        action: {
          kubernetesApiCallAction: {
            requestUri: '/api/v1/namespaces/payments/secrets/db-password',
            verb: 'get',
            namespace: 'payments',
            resource: 'secrets',
            subresource: null,
            resourceName: 'db-password',
          },
        },
      },
    },
  };

  it('names the secret (namespace/name) and maps SecretsAccessed to KD-031', () => {
    const detection = detectionFrom('guardduty-eks-exec-in-kube-system-pod.json', secretsAccessed);
    expect(detection).toMatchObject({
      ruleId: 'KD-031',
      namespace: 'payments',
      secretNames: ['payments/db-password'],
      workload: 'secret/db-password',
    });
    expect(detection.pod).toBeUndefined();
  });

  it('has no secret names when the finding does not touch a named secret', () => {
    expect(detectionFrom('guardduty-eks-exec-in-kube-system-pod.json').secretNames).toBeUndefined();
  });
});

describe('isNewerRevision', () => {
  const base = detectionFrom('guardduty-eks-discovery-tor-ip-caller.json');
  const revision = (changes: Partial<Detection>): Detection => ({ ...base, ...changes });

  it('treats an identical redelivery as not newer (idempotent)', () => {
    expect(isNewerRevision(base, revision({}))).toBe(false);
  });

  it('treats a higher count with the same update time as newer', () => {
    expect(isNewerRevision(base, revision({ count: base.count + 1 }))).toBe(true);
  });

  it('treats a later updatedAt as newer', () => {
    expect(isNewerRevision(base, revision({ updatedAt: '2022-11-23T00:00:00.000Z' }))).toBe(true);
  });

  it('treats a higher count without update times as newer', () => {
    const { updatedAt: _ignored, ...withoutUpdate } = base;
    expect(isNewerRevision(withoutUpdate, { ...withoutUpdate, count: 5 })).toBe(true);
  });

  it('never lets an older revision arriving late replace a newer one', () => {
    const newer = revision({ updatedAt: '2022-11-23T00:00:00.000Z', count: 5 });
    expect(isNewerRevision(newer, base)).toBe(false);
  });

  it('does not compare different findings', () => {
    expect(isNewerRevision(base, revision({ eventId: 'another', count: 99 }))).toBe(false);
  });
});

describe('GuardDuty actor (the IAM identity behind the Kubernetes user)', () => {
  it('takes the ARN username and the session name list of kubernetesUserDetails', () => {
    const detection = detectionFrom('guardduty-eks-exec-in-kube-system-pod.json');
    expect(detection.principal).toBe('arn:aws:sts::111122223333:assumed-role/DevOpsRole/jdoe');
    expect(detection.actor).toEqual({
      arn: 'arn:aws:sts::111122223333:assumed-role/DevOpsRole/jdoe',
      sessionName: 'jdoe',
    });
  });

  it('takes the access key of accessKeyDetails (sample finding)', () => {
    expect(detectionFrom('guardduty-eks-discovery-tor-ip-caller.json').actor).toEqual({
      accessKeyId: 'GeneratedFindingAccessKeyId',
    });
  });

  it('takes the session from an assumed role principalId and the user from accessKeyDetails', () => {
    const detection = detectionFrom('guardduty-eks-discovery-tor-ip-caller.json', {
      detail: {
        resource: {
          kubernetesDetails: { kubernetesUserDetails: null },
          accessKeyDetails: { principalId: 'AROAEXAMPLEROLEID:jdoe', userName: 'DevOpsRole' },
        },
      },
    });
    expect(detection.principal).toBe('DevOpsRole');
    expect(detection.actor).toEqual({ sessionName: 'jdoe', accessKeyId: 'GeneratedFindingAccessKeyId' });
  });

  it('names no actor for a service account (real finding) or a runtime finding', () => {
    expect(detectionFrom('guardduty-eks-privileged-container.json').actor).toBeUndefined();
    expect(detectionFrom('guardduty-eks-runtime-new-binary-executed.json').actor).toBeUndefined();
  });
});

describe('GuardDuty summary parts', () => {
  it('marks the values GuardDuty quotes in its description, keeping the text as it was', () => {
    const detection = detectionFrom('guardduty-eks-runtime-new-binary-executed.json');
    expect(detection.summaryParts).toEqual([
      { kind: 'text', text: 'A newly created or recently modified file ' },
      { kind: 'value', text: '/tmp/xmrig' },
      { kind: 'text', text: ' was executed by process ' },
      { kind: 'value', text: 'xmrig' },
      { kind: 'text', text: ' in container ' },
      { kind: 'value', text: 'api' },
      { kind: 'text', text: ' of pod ' },
      { kind: 'value', text: 'payments-api-6d9f7b8c5-x2k4p' },
      { kind: 'text', text: ' in EKS cluster ' },
      { kind: 'value', text: 'prod-cluster' },
      { kind: 'text', text: '.' },
    ]);
    expect(detection.summaryParts?.map((part) => part.text).join('')).toBe(detection.summary);
  });

  it('marks the ARN of the user who granted anonymous access', () => {
    const parts = detectionFrom('guardduty-eks-anonymous-access-granted.json').summaryParts ?? [];
    expect(parts.filter((part) => part.kind === 'value').map((part) => part.text)).toContain(
      'arn:aws:sts::111122223333:assumed-role/DevOpsRole/jdoe',
    );
  });
});
