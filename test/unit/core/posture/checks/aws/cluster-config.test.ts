import { describe, expect, it } from 'vitest';
import type { PostureCheck } from '#core/posture/check.ts';
import { controlPlaneLoggingCheck } from '#core/posture/checks/kp-001-control-plane-logging.ts';
import { secretsEncryptionCheck } from '#core/posture/checks/kp-003-secrets-encryption.ts';
import { publicEndpointCheck } from '#core/posture/checks/kp-004-public-endpoint.ts';
import { privateEndpointCheck } from '#core/posture/checks/kp-005-private-endpoint.ts';
import { supportedVersionCheck, supportStatus } from '#core/posture/checks/kp-007-supported-version.ts';
import { deletionProtectionCheck } from '#core/posture/checks/kp-008-deletion-protection.ts';
import { authenticationModeCheck } from '#core/posture/checks/kp-010-authentication-mode.ts';
import { clusterCreatorAdminCheck } from '#core/posture/checks/kp-011-cluster-creator-admin.ts';
import type { AwsSnapshot } from '#core/posture/snapshot.ts';
import { aws, awsSnapshot } from '#test/support/aws-fixtures.ts';

const PRIVATE = 'eks-describe-cluster-private.json';
const OPEN = 'eks-describe-cluster-public-open.json';
const RESTRICTED = 'eks-describe-cluster-public-restricted.json';
const AUDIT_OFF = 'eks-describe-cluster-audit-log-off.json';
const LEGACY = 'eks-describe-cluster-legacy-minimal.json';

function run(check: PostureCheck, data: AwsSnapshot, takenAt?: string) {
  const results = check.evaluate(awsSnapshot(data, takenAt === undefined ? {} : { takenAt }));
  expect(results).toHaveLength(1);
  return results[0] ?? expect.unreachable();
}

function onCluster(check: PostureCheck, fixture: string) {
  return run(check, { cluster: aws.cluster(fixture) });
}

describe('KP-001 control-plane logging', () => {
  it('passes a cluster logging all five types', () => {
    const result = onCluster(controlPlaneLoggingCheck, PRIVATE);
    expect(result).toMatchObject({ status: 'pass', object: { kind: 'EKSCluster', name: 'example' } });
  });

  it('flags a partly logged cluster and names the disabled audit log (two clusterLogging entries)', () => {
    const result = onCluster(controlPlaneLoggingCheck, AUDIT_OFF);
    expect(result.status).toBe('fail');
    expect(result.message).toContain('audit, controllerManager, scheduler');
    expect(result.message).toContain('audit log is off');
    expect(result.evidence?.['cluster.logging.clusterLogging[enabled=true].types']).toBe('api,authenticator');
  });

  it('flags a cluster whose single logging entry is disabled', () => {
    expect(onCluster(controlPlaneLoggingCheck, OPEN).status).toBe('fail');
  });

  it('flags a response without any logging member instead of reading it as secure', () => {
    const result = onCluster(controlPlaneLoggingCheck, LEGACY);
    expect(result.status).toBe('fail');
    expect(result.message).toContain('cluster.logging is absent');
  });
});

describe('KP-003 Secrets envelope encryption', () => {
  it('passes a cluster encrypting secrets with a KMS key', () => {
    const result = onCluster(secretsEncryptionCheck, PRIVATE);
    expect(result.status).toBe('pass');
    expect(result.message).toContain('arn:aws:kms:us-west-2:012345678910:key/');
  });

  it('flags a cluster without encryptionConfig', () => {
    const result = onCluster(secretsEncryptionCheck, RESTRICTED);
    expect(result.status).toBe('fail');
    expect(result.message).toContain('cluster.encryptionConfig is absent');
  });

  it('flags an encryptionConfig that covers no secrets', () => {
    const cluster = { ...aws.cluster(PRIVATE), encryptionConfig: [{ resources: [], provider: {} }] };
    expect(run(secretsEncryptionCheck, { cluster }).status).toBe('fail');
  });
});

describe('KP-004 public API endpoint', () => {
  it('passes a private cluster although it still reports publicAccessCidrs 0.0.0.0/0', () => {
    expect(onCluster(publicEndpointCheck, PRIVATE).status).toBe('pass');
  });

  it('passes a public endpoint restricted to one /32', () => {
    const result = onCluster(publicEndpointCheck, RESTRICTED);
    expect(result.status).toBe('pass');
    expect(result.message).toContain('22.19.18.2/32');
  });

  it('flags a public endpoint open to 0.0.0.0/0', () => {
    const result = onCluster(publicEndpointCheck, OPEN);
    expect(result.status).toBe('fail');
    expect(result.message).toContain('0.0.0.0/0');
  });

  it('flags a legacy response without endpoint flags (absent is not false)', () => {
    const result = onCluster(publicEndpointCheck, LEGACY);
    expect(result.status).toBe('fail');
    expect(result.message).toContain('not reported');
  });
});

describe('KP-005 private endpoint only', () => {
  it('passes private on, public off', () => {
    expect(onCluster(privateEndpointCheck, PRIVATE).status).toBe('pass');
  });

  it('flags a cluster with both endpoints on', () => {
    const result = onCluster(privateEndpointCheck, RESTRICTED);
    expect(result.status).toBe('fail');
    expect(result.message).toBe('cluster.resourcesVpcConfig: endpointPublicAccess is true (want false)');
  });

  it('flags public-only and names both fields', () => {
    const result = onCluster(privateEndpointCheck, OPEN);
    expect(result.message).toContain('endpointPrivateAccess is false');
    expect(result.message).toContain('endpointPublicAccess is true');
  });
});

describe('KP-007 supported Kubernetes version', () => {
  const versions = aws.versions();

  it('passes 1.33 in standard support on 2026-03-01', () => {
    const result = run(supportedVersionCheck, { cluster: aws.cluster(PRIVATE), supportedVersions: versions });
    expect(result.status).toBe('pass');
    expect(result.message).toContain('2026-07-29');
  });

  it('flags 1.31 in extended support', () => {
    const result = run(supportedVersionCheck, {
      cluster: aws.cluster(AUDIT_OFF),
      supportedVersions: versions,
    });
    expect(result.status).toBe('fail');
    expect(result.message).toContain('extended support since 2025-11-26');
  });

  it('flags 1.26, absent from the list, as unsupported', () => {
    const result = run(supportedVersionCheck, {
      cluster: aws.cluster(RESTRICTED),
      supportedVersions: versions,
    });
    expect(result.status).toBe('fail');
    expect(result.message).toContain('cluster.version "1.26" is not among the versions EKS supports');
  });

  it('flags 1.33 when standard support ends within 60 days', () => {
    const result = run(
      supportedVersionCheck,
      { cluster: aws.cluster(PRIVATE), supportedVersions: versions },
      '2026-06-15T00:00:00.000Z',
    );
    expect(result.status).toBe('fail');
    expect(result.message).toContain('leaves standard support on 2026-07-29, in 44 days');
  });

  it('reads the user-guide sample whose deprecated status is STANDARD_SUPPORT', () => {
    const sample = aws.versions('eks-describe-cluster-versions-userguide.json');
    expect(supportStatus(sample[0] ?? {})).toBe('STANDARD_SUPPORT');
    expect(supportStatus({ status: 'extended-support' })).toBe('EXTENDED_SUPPORT');
  });

  it('skips when DescribeClusterVersions was not collected', () => {
    const result = run(supportedVersionCheck, { cluster: aws.cluster(PRIVATE) });
    expect(result).toMatchObject({
      status: 'skip',
      message: 'skipped: DescribeClusterVersions was not collected',
    });
  });
});

describe('KP-008 deletion protection', () => {
  it('passes deletionProtection true', () => {
    expect(onCluster(deletionProtectionCheck, PRIVATE).status).toBe('pass');
  });

  it('flags deletionProtection false', () => {
    expect(onCluster(deletionProtectionCheck, AUDIT_OFF).message).toContain(
      'cluster.deletionProtection is false',
    );
  });

  it('flags a response that does not report it', () => {
    expect(onCluster(deletionProtectionCheck, OPEN).status).toBe('fail');
  });
});

describe('KP-010 authentication mode', () => {
  it('passes API and API_AND_CONFIG_MAP', () => {
    expect(onCluster(authenticationModeCheck, PRIVATE).status).toBe('pass');
    expect(onCluster(authenticationModeCheck, RESTRICTED).status).toBe('pass');
  });

  it('flags CONFIG_MAP', () => {
    const result = onCluster(authenticationModeCheck, OPEN);
    expect(result.status).toBe('fail');
    expect(result.message).toContain('"CONFIG_MAP"');
  });

  it('flags a legacy response without accessConfig', () => {
    expect(onCluster(authenticationModeCheck, LEGACY).status).toBe('fail');
  });
});

describe('KP-011 cluster creator admin', () => {
  it('passes bootstrapClusterCreatorAdminPermissions false', () => {
    const cluster = aws.cluster(PRIVATE);
    cluster.accessConfig = { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: false };
    expect(run(clusterCreatorAdminCheck, { cluster }).status).toBe('pass');
  });

  it('flags bootstrapClusterCreatorAdminPermissions true', () => {
    const cluster = aws.cluster(PRIVATE);
    cluster.accessConfig = { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: true };
    expect(run(clusterCreatorAdminCheck, { cluster }).status).toBe('fail');
  });

  it('flags a CONFIG_MAP cluster, whose creator holds invisible system:masters', () => {
    const result = onCluster(clusterCreatorAdminCheck, OPEN);
    expect(result.status).toBe('fail');
    expect(result.message).toContain('invisible system:masters');
  });

  it('skips with a reason when an access-entry cluster does not report the flag', () => {
    const result = onCluster(clusterCreatorAdminCheck, PRIVATE);
    expect(result.status).toBe('skip');
    expect(result.message).toContain('KP-012');
  });
});

describe('DescribeCluster not collected', () => {
  it('skips with the reason instead of passing', () => {
    const [result] = controlPlaneLoggingCheck.evaluate(awsSnapshot({}));
    expect(result).toMatchObject({ status: 'skip', message: 'skipped: DescribeCluster was not collected' });
  });
});
