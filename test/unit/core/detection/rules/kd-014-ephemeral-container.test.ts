import { describe, expect, it } from 'vitest';
import { kd014EphemeralContainer as rule } from '../../../../../core/detection/rules/kd-014-ephemeral-container.ts';
import { DENIED_BY_RBAC, detect, exampleOf, fixtureEvent, variant } from './rule-test-support.ts';

/** The exec fixture's pod and user, as the `kubectl debug` patch on its ephemeralcontainers subresource. */
function debugPatch(verb = 'patch') {
  const exec = fixtureEvent('eks-audit-exec-pod-create.json');
  return variant(exec, {
    level: 'RequestResponse',
    stage: 'ResponseComplete',
    verb,
    requestURI: '/api/v1/namespaces/default/pods/nginx-deployment-7998647bdf-phvq7/ephemeralcontainers',
    objectRef: { subresource: 'ephemeralcontainers' },
    responseStatus: { code: 200 },
    requestObject: {
      spec: {
        ephemeralContainers: [
          { name: 'debugger-a', image: 'busybox' },
          { name: 'debugger-b', image: 'nicolaka/netshoot', securityContext: { privileged: true } },
        ],
      },
    },
  });
}

describe('KD-014 ephemeral container added to a pod', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-014');
  });

  it('flags kubectl debug, naming the newest ephemeral container', () => {
    const detection = detect(rule, debugPatch());

    expect(detection).toMatchObject({
      severity: 'medium',
      pod: 'nginx-deployment-7998647bdf-phvq7',
      container: 'debugger-b',
      image: 'nicolaka/netshoot',
    });
    expect(detection?.evidence.privileged).toBe('true');
  });

  it('flags update as well as patch', () => {
    expect(detect(rule, debugPatch('update'))?.ruleId).toBe('KD-014');
  });

  it('ignores reads of the subresource', () => {
    expect(detect(rule, debugPatch('get'))).toBeUndefined();
  });

  it('flags service accounts outside kube-system and EKS identities (its own exclusion list)', () => {
    expect(
      detect(rule, variant(debugPatch(), { user: { username: 'system:serviceaccount:ci:deployer' } }))
        ?.ruleId,
    ).toBe('KD-014');
  });

  it('ignores kubelets and kube-system service accounts', () => {
    expect(
      detect(
        rule,
        variant(debugPatch(), { user: { username: 'system:node:ip-10-0-0-137.eu-west-1.compute.internal' } }),
      ),
    ).toBeUndefined();
    expect(
      detect(
        rule,
        variant(debugPatch(), { user: { username: 'system:serviceaccount:kube-system:debugger' } }),
      ),
    ).toBeUndefined();
  });

  it('ignores the same request when it was denied', () => {
    expect(detect(rule, variant(debugPatch(), DENIED_BY_RBAC))).toBeUndefined();
  });

  it('still reports the pod when the request body is missing (Metadata level)', () => {
    const detection = detect(rule, variant(debugPatch(), { level: 'Metadata', requestObject: undefined }));

    expect(detection?.summary).toBe(
      'kubernetes-admin added an ephemeral container to pod nginx-deployment-7998647bdf-phvq7 in namespace default.',
    );
  });
});
