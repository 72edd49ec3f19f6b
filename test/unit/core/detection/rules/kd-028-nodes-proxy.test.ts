import { describe, expect, it } from 'vitest';
import { kd028NodesProxy as rule } from '../../../../../core/detection/rules/kd-028-nodes-proxy.ts';
import { detect, exampleOf, fixtureEvent, variant } from './rule-test-support.ts';

const NODE = 'ip-10-0-0-137.eu-west-1.compute.internal';

/** The node-forbidden fixture's node, reached by the exec fixture's user through nodes/proxy. */
function proxied(path: string, stage = 'ResponseComplete') {
  const user = fixtureEvent('eks-audit-exec-pod-create.json').user;
  return variant(fixtureEvent('eks-audit-node-forbidden.json'), {
    user,
    stage,
    requestURI: `/api/v1/nodes/${NODE}/proxy${path}`,
    objectRef: { resource: 'nodes', name: NODE, subresource: 'proxy' },
    responseStatus: {
      code: 200,
      status: undefined,
      message: undefined,
      reason: undefined,
      details: undefined,
    },
    annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
  });
}

describe('KD-028 API-server proxy to kubelet', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-028');
  });

  it('flags listing the kubelet pods through nodes/proxy', () => {
    expect(detect(rule, proxied('/pods'))).toMatchObject({
      severity: 'high',
      node: NODE,
      evidence: { kubeletPath: '/pods' },
      summary: `kubernetes-admin called kubelet endpoint /pods on node ${NODE} through the API server (get).`,
    });
  });

  it('flags an exec through the kubelet at ResponseStarted, but a plain call only on ResponseComplete', () => {
    expect(detect(rule, proxied('/exec/default/nginx/nginx1?command=id', 'ResponseStarted'))?.ruleId).toBe(
      'KD-028',
    );
    expect(detect(rule, proxied('/pods', 'ResponseStarted'))).toBeUndefined();
  });

  it.each([['/metrics'], ['/metrics/cadvisor'], ['/healthz'], ['/stats/summary'], ['/configz']])(
    'ignores %s',
    (path) => {
      expect(detect(rule, proxied(path))).toBeUndefined();
    },
  );

  it('ignores system principals (kubelets, service accounts, EKS)', () => {
    expect(
      detect(rule, variant(proxied('/pods'), { user: { username: `system:node:${NODE}` } })),
    ).toBeUndefined();
    expect(
      detect(
        rule,
        variant(proxied('/pods'), { user: { username: 'system:serviceaccount:monitoring:agent' } }),
      ),
    ).toBeUndefined();
  });

  it('ignores other node subresources', () => {
    expect(detect(rule, variant(proxied('/pods'), { objectRef: { subresource: 'status' } }))).toBeUndefined();
  });
});
