import { describe, expect, it } from 'vitest';
import { kd025KubectlCpFromPod as rule } from '../../../../../core/detection/rules/kd-025-kubectl-cp-from-pod.ts';
import {
  corpusEvent,
  DENIED_BY_RBAC,
  detect,
  exampleOf,
  fixtureEvent,
  variant,
} from './rule-test-support.ts';

function execWith(query: string) {
  return variant(fixtureEvent('eks-audit-exec-pod-create.json'), {
    requestURI: `/api/v1/namespaces/default/pods/nginx-deployment-7998647bdf-phvq7/exec?${query}`,
  });
}

describe('KD-025 kubectl cp out of a pod', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-025');
  });

  it('flags tar cf - <path> and reports the copied path', () => {
    const detection = detect(rule, corpusEvent(80));

    expect(detection).toMatchObject({ severity: 'low', pod: 'webapp-pod', container: 'webapp' });
    expect(detection?.evidence.copiedPaths).toBe('/app/secrets/credentials.json');
  });

  it('flags tar cvf and system principals alike (no principal clause)', () => {
    expect(detect(rule, execWith('command=%2Fbin%2Ftar&command=cvf&command=-&command=%2Fdata'))?.ruleId).toBe(
      'KD-025',
    );
    expect(detect(rule, corpusEvent(82))?.principal).toBe('system:serviceaccount:kube-system:debug');
  });

  it('ignores copying into a pod (tar xf) and tar that is not the first command', () => {
    expect(
      detect(rule, execWith('command=tar&command=xmf&command=-&command=-C&command=%2Ftmp')),
    ).toBeUndefined();
    expect(detect(rule, execWith('command=sh&command=-c&command=tar+cf+-+%2Fdata'))).toBeUndefined();
  });

  it('ignores a regular exec', () => {
    expect(detect(rule, corpusEvent(81))).toBeUndefined();
  });

  it('ignores a denied exec', () => {
    expect(detect(rule, variant(corpusEvent(80), DENIED_BY_RBAC))).toBeUndefined();
  });
});
