import { describe, expect, it } from 'vitest';
import { kd051AwsAuthModified as rule } from '../../../../../core/detection/rules/kd-051-aws-auth-modified.ts';
import {
  corpusEvent,
  DENIED_BY_RBAC,
  detect,
  exampleOf,
  SERVICE_ACCOUNT,
  variant,
} from './rule-test-support.ts';

/** Corpus line 10 (Falco trace: ConfigMap create) re-targeted at kube-system/aws-auth. */
const awsAuthCreate = () =>
  variant(corpusEvent(10), {
    requestURI: '/api/v1/namespaces/kube-system/configmaps',
    objectRef: { namespace: 'kube-system', name: undefined },
    requestObject: {
      metadata: { name: 'aws-auth', namespace: 'kube-system' },
      data: {
        mapUsers:
          '- userarn: arn:aws:iam::111122223333:user/ops\n  username: ops\n  groups:\n    - system:masters\n',
      },
    },
  });

describe('KD-051 EKS aws-auth ConfigMap modified', () => {
  it('flags its example and names the ARNs it maps to system:masters', () => {
    const detection = detect(rule, exampleOf(rule));

    expect(detection).toMatchObject({
      ruleId: 'KD-051',
      severity: 'high',
      namespace: 'kube-system',
      workload: 'configmap/aws-auth',
      evidence: { dataKeys: 'mapRoles', systemMastersArns: 'arn:aws:iam::444455556666:role/backdoor' },
    });
    expect(detection?.summary).toBe('kubernetes-admin updated the EKS aws-auth ConfigMap in kube-system.');
  });

  it('flags a create whose objectRef has no name, reading the name from the request body', () => {
    expect(detect(rule, awsAuthCreate())?.evidence.systemMastersArns).toBe(
      'arn:aws:iam::111122223333:user/ops',
    );
  });

  it('flags patch and delete', () => {
    expect(detect(rule, variant(exampleOf(rule), { verb: 'patch' }))).toBeDefined();
    expect(
      detect(rule, variant(exampleOf(rule), { verb: 'delete', requestObject: undefined }))?.summary,
    ).toBe('kubernetes-admin deleted the EKS aws-auth ConfigMap in kube-system.');
  });

  it('flags service accounts too (only eks:kms-storage-migrator is excluded)', () => {
    expect(detect(rule, variant(exampleOf(rule), SERVICE_ACCOUNT))).toBeDefined();
  });

  it('ignores eks:kms-storage-migrator', () => {
    expect(
      detect(rule, variant(exampleOf(rule), { user: { username: 'eks:kms-storage-migrator' } })),
    ).toBeUndefined();
  });

  it('ignores denied requests, reads, other ConfigMaps and aws-auth outside kube-system', () => {
    expect(detect(rule, variant(exampleOf(rule), DENIED_BY_RBAC))).toBeUndefined();
    expect(detect(rule, variant(exampleOf(rule), { verb: 'get' }))).toBeUndefined();
    expect(detect(rule, variant(exampleOf(rule), { objectRef: { name: 'kube-proxy' } }))).toBeUndefined();
    expect(detect(rule, variant(exampleOf(rule), { objectRef: { namespace: 'default' } }))).toBeUndefined();
  });

  it('still flags the change when mapRoles is not valid YAML, without ARNs', () => {
    const garbled = variant(exampleOf(rule), {
      requestObject: { data: { mapRoles: '- rolearn: [unclosed\n  groups: {' } },
    });
    const detection = detect(rule, garbled);

    expect(detection).toBeDefined();
    expect(detection?.evidence.systemMastersArns).toBeUndefined();
    expect(detection?.evidence.unreadMappings).toMatch(/^mapRoles \(line 1: /);
  });

  it('reads the eksctl and Terraform styles, and names mappings it does not read instead of guessing', () => {
    const eksctl =
      '- groups:\n  - system:bootstrappers\n  - system:nodes\n  rolearn: arn:aws:iam::111122223333:role/node\n' +
      '  username: system:node:{{EC2PrivateDNSName}}\n- groups:\n  - system:masters\n' +
      '  rolearn: arn:aws:iam::111122223333:role/admin # added by hand\n  username: admin\n';
    const terraform =
      '- "groups":\n  - "system:masters"\n  "userarn": "arn:aws:iam::111122223333:user/ops"\n  "username": "ops"\n';
    const anchored =
      '- rolearn: &admin arn:aws:iam::444455556666:role/backdoor\n  groups: [system:masters]\n';
    const detection = detect(
      rule,
      variant(exampleOf(rule), { requestObject: { data: { mapRoles: eksctl, mapUsers: terraform } } }),
    );
    const unread = detect(
      rule,
      variant(exampleOf(rule), { requestObject: { data: { mapRoles: anchored } } }),
    );

    expect(detection?.evidence.systemMastersArns).toBe(
      'arn:aws:iam::111122223333:role/admin, arn:aws:iam::111122223333:user/ops',
    );
    expect(unread?.evidence).toMatchObject({
      unreadMappings:
        'mapRoles (line 1: a value starting with an indicator (anchor, alias, tag, block scalar, flow or comment))',
    });
    expect(unread?.evidence.systemMastersArns).toBeUndefined();
  });
});
