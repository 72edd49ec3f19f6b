import { describe, expect, it } from 'vitest';
import { kd024ExecImdsAccess as rule } from '../../../../../core/detection/rules/kd-024-exec-imds-access.ts';
import { DENIED_BY_RBAC, detect, exampleOf, fixtureEvent, variant } from './rule-test-support.ts';

function execWith(query: string) {
  return variant(fixtureEvent('eks-audit-exec-pod-create.json'), {
    requestURI: `/api/v1/namespaces/default/pods/nginx-deployment-7998647bdf-phvq7/exec?${query}`,
  });
}

describe('KD-024 exec command reaches instance metadata', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-024');
  });

  it('flags an IMDSv2 token request', () => {
    const event = execWith(
      'command=curl&command=-X&command=PUT&command=http%3A%2F%2F169.254.169.254%2Flatest%2Fapi%2Ftoken&command=-H&command=X-aws-ec2-metadata-token-ttl-seconds%3A+21600',
    );

    expect(detect(rule, event)).toMatchObject({
      severity: 'high',
      evidence: { imds: '169.254.169.254, /latest/api/token' },
    });
  });

  it('ignores commands that do not mention IMDS', () => {
    expect(detect(rule, fixtureEvent('eks-audit-exec-pod-create.json'))).toBeUndefined();
  });

  it('ignores a denied exec', () => {
    expect(detect(rule, variant(exampleOf(rule), DENIED_BY_RBAC))).toBeUndefined();
  });
});
