import { describe, expect, it } from 'vitest';
import { DEFAULT_DETECTION_CONFIG } from '../../../../../core/detection/config.ts';
import { evaluateAuditEvents } from '../../../../../core/detection/engine.ts';
import { kd020ExecIntoPod as rule } from '../../../../../core/detection/rules/kd-020-exec-into-pod.ts';
import {
  corpusEvent,
  DENIED_BY_RBAC,
  detect,
  exampleOf,
  fixtureEvent,
  NOW,
  variant,
} from './rule-test-support.ts';

const spdyExec = () => fixtureEvent('eks-audit-exec-pod-create.json');
const websocketExec = () => fixtureEvent('eks-audit-exec-pod-websocket-get.json');

describe('KD-020 exec / attach into a pod', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-020');
  });

  it('flags kubectl exec (SPDY, verb create) at ResponseStarted with code 101', () => {
    const detection = detect(rule, spdyExec());

    expect(detection).toMatchObject({
      severity: 'medium',
      principal: 'kubernetes-admin',
      namespace: 'default',
      pod: 'nginx-deployment-7998647bdf-phvq7',
      container: 'nginx1',
      summary:
        'kubernetes-admin ran `bash` in pod nginx-deployment-7998647bdf-phvq7 (container nginx1) in namespace default.',
    });
    expect(detection?.evidence).toMatchObject({ command: 'bash', subresource: 'exec', responseCode: '101' });
  });

  it('flags kubectl >= 1.30 exec over WebSocket (verb get), URL-decoding the command', () => {
    expect(detect(rule, websocketExec())?.evidence.command).toBe('/bin/sh');
  });

  it('flags attach', () => {
    expect(detect(rule, corpusEvent(3))?.summary).toBe(
      'minikube-user attached to pod nginx-deployment-7998647bdf-phvq7 (container nginx1) in namespace default.',
    );
  });

  it('flags the ResponseComplete line too (2xx) and an exec without a command in the URI', () => {
    expect(detect(rule, variant(spdyExec(), { stage: 'ResponseComplete' }))?.ruleId).toBe('KD-020');
    expect(detect(rule, corpusEvent(74))?.summary).toBe(
      'john.doe@example.com opened an exec session in pod nginx-pod in namespace default.',
    );
  });

  it('raises one alert per auditID when both stage lines arrive', () => {
    const started = spdyExec();
    const completed = variant(started, { stage: 'ResponseComplete' });

    const detections = evaluateAuditEvents([started, completed], {
      config: DEFAULT_DETECTION_CONFIG,
      now: NOW,
    });

    expect(detections.filter((d) => d.ruleId === 'KD-020')).toHaveLength(1);
  });

  it('ignores a denied exec', () => {
    expect(detect(rule, corpusEvent(157))).toBeUndefined();
    expect(detect(rule, variant(spdyExec(), DENIED_BY_RBAC))).toBeUndefined();
  });

  it('ignores other pod subresources (logs)', () => {
    expect(detect(rule, fixtureEvent('eks-audit-benign-get-pod-log.json'))).toBeUndefined();
  });

  it('leaves exec through the kubelet proxy (nodes/proxy) to KD-028', () => {
    const proxied = variant(spdyExec(), {
      requestURI:
        '/api/v1/nodes/ip-10-0-0-137.eu-west-1.compute.internal/proxy/exec/default/nginx/nginx1?command=bash',
      objectRef: {
        resource: 'nodes',
        name: 'ip-10-0-0-137.eu-west-1.compute.internal',
        namespace: undefined,
        subresource: 'proxy',
      },
    });

    expect(detect(rule, proxied)).toBeUndefined();
  });
});
