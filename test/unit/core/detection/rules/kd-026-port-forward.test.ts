import { describe, expect, it } from 'vitest';
import { kd026PortForward as rule } from '../../../../../core/detection/rules/kd-026-port-forward.ts';
import { detect, exampleOf, fixtureEvent, variant } from './rule-test-support.ts';

/** The exec fixture's request as the port-forward kubectl sends (same stream upgrade, subresource portforward). */
const portForward = () =>
  variant(fixtureEvent('eks-audit-exec-pod-create.json'), {
    requestURI: '/api/v1/namespaces/default/pods/nginx-deployment-7998647bdf-phvq7/portforward',
    objectRef: { subresource: 'portforward' },
  });

describe('KD-026 port-forward to a pod', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-026');
  });

  it('flags kubectl port-forward at ResponseStarted', () => {
    expect(detect(rule, portForward())).toMatchObject({
      severity: 'low',
      pod: 'nginx-deployment-7998647bdf-phvq7',
      summary:
        'kubernetes-admin opened a port-forward to pod nginx-deployment-7998647bdf-phvq7 in namespace default.',
    });
  });

  it('flags the WebSocket variant (verb get) and reports the ports', () => {
    const event = variant(portForward(), {
      verb: 'get',
      requestURI: '/api/v1/namespaces/default/pods/nginx-deployment-7998647bdf-phvq7/portforward?ports=5432',
    });

    expect(detect(rule, event)?.evidence.ports).toBe('5432');
  });

  it('ignores other subresources', () => {
    expect(detect(rule, fixtureEvent('eks-audit-exec-pod-create.json'))).toBeUndefined();
  });

  it('ignores other verbs on the subresource', () => {
    expect(detect(rule, variant(portForward(), { verb: 'delete' }))).toBeUndefined();
  });
});
