import { describe, expect, it } from 'vitest';
import { kd022ExecCredentialAccess as rule } from '../../../../../core/detection/rules/kd-022-exec-credential-access.ts';
import {
  corpusEvent,
  DENIED_BY_RBAC,
  detect,
  exampleOf,
  fixtureEvent,
  variant,
} from './rule-test-support.ts';

/** The SPDY exec fixture running the given URL-encoded query. */
function execWith(query: string) {
  return variant(fixtureEvent('eks-audit-exec-pod-create.json'), {
    requestURI: `/api/v1/namespaces/default/pods/nginx-deployment-7998647bdf-phvq7/exec?${query}`,
  });
}

describe('KD-022 exec command touches credentials', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-022');
  });

  it('flags reading the service-account token (URL-encoded command)', () => {
    const detection = detect(rule, corpusEvent(156));

    expect(detection).toMatchObject({ severity: 'high', namespace: 'production', pod: 'webapp-pod' });
    expect(detection?.evidence.command).toBe('cat /var/run/secrets/kubernetes.io/serviceaccount/token');
    expect(detection?.evidence.credentialPaths).toBe('/var/run/secrets/, serviceaccount/token');
  });

  it.each([
    ['command=cat&command=%2Fetc%2Fshadow', '/etc/shadow'],
    ['command=sh&command=-c&command=cat+%2Froot%2F.aws%2Fcredentials', '/.aws/'],
    ['command=cat&command=%2Fhome%2Fops%2F.kube%2Fconfig', '/.kube/config'],
    ['command=ls&command=%2Fvar%2Flib%2Fkubelet%2Fpki', '/var/lib/kubelet/'],
    ['command=cat&command=%2Fetc%2Fkubernetes%2Fkubelet.conf', '/etc/kubernetes/'],
    [
      'command=cat&command=%2Fvar%2Frun%2Fsecrets%2Feks.amazonaws.com%2Fserviceaccount%2Ftoken',
      'eks.amazonaws.com/serviceaccount',
    ],
  ])('flags %s', (query, path) => {
    expect(detect(rule, execWith(query))?.evidence.credentialPaths).toContain(path);
  });

  it('ignores commands that touch no credential path', () => {
    expect(detect(rule, execWith('command=cat&command=%2Fetc%2Fhostname'))).toBeUndefined();
    expect(detect(rule, corpusEvent(80))).toBeUndefined();
  });

  it('ignores a credential path in another query parameter', () => {
    expect(detect(rule, execWith('command=ls&container=%2Fvar%2Frun%2Fsecrets%2F'))).toBeUndefined();
  });

  it('ignores a denied exec', () => {
    expect(detect(rule, variant(corpusEvent(156), DENIED_BY_RBAC))).toBeUndefined();
  });
});
