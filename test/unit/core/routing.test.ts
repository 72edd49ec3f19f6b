import { describe, expect, it } from 'vitest';
import { type KubeguardConfigInput, parseConfig } from '../../../core/config/schema.ts';
import { normalizeGuardDutyEvent } from '../../../core/guardduty/normalize.ts';
import type { Detection } from '../../../core/model/detection.ts';
import { globMatches, routeDetection } from '../../../core/routing.ts';
import { loadFixture } from '../../support/fixtures.ts';

function slackConfig(slack: KubeguardConfigInput['slack']) {
  return parseConfig({ clusters: [{ name: 'prod-cluster', region: 'us-east-1' }], slack }).slack;
}

function execDetection(changes: Partial<Detection> = {}): Detection {
  const result = normalizeGuardDutyEvent(loadFixture('guardduty-eks-exec-in-kube-system-pod.json'));
  if (result.kind !== 'detection') throw new Error('fixture should normalize');
  return { ...result.detection, ...changes };
}

describe('alert routing', () => {
  const routes = slackConfig({
    defaultChannel: 'C0DEFAULT',
    criticalMention: 'S0ONCALL',
    routes: [
      { cluster: 'prod-cluster', namespace: 'kube-*', minSeverity: 'high', channel: 'C0PLATFORM' },
      { cluster: 'prod-cluster', namespace: 'payments', channel: 'C0PAYMENTS' },
      { namespace: '*-dev', channel: '#dev-alerts' },
    ],
  });

  it('sends a detection to the first route whose cluster, namespace and severity match', () => {
    expect(routeDetection(execDetection({ severity: 'high' }), routes)).toEqual({ channel: 'C0PLATFORM' });
  });

  it('skips a route whose minimum severity is not reached', () => {
    expect(routeDetection(execDetection({ severity: 'medium' }), routes)).toEqual({ channel: 'C0DEFAULT' });
  });

  it('matches the namespace exactly when the pattern has no wildcard', () => {
    expect(routeDetection(execDetection({ namespace: 'payments' }), routes).channel).toBe('C0PAYMENTS');
    expect(routeDetection(execDetection({ namespace: 'payments-v2' }), routes).channel).toBe('C0DEFAULT');
  });

  it('matches the cluster exactly', () => {
    const elsewhere = execDetection({ cluster: 'prod-cluster-2', namespace: 'payments' });
    expect(routeDetection(elsewhere, routes).channel).toBe('C0DEFAULT');
  });

  it('lets a route without cluster match every cluster', () => {
    expect(routeDetection(execDetection({ cluster: 'other', namespace: 'team-dev' }), routes).channel).toBe(
      '#dev-alerts',
    );
  });

  it('uses the default channel when nothing matches, e.g. a cluster-scoped detection', () => {
    const { namespace: _none, ...clusterScoped } = execDetection({ severity: 'high' });
    expect(routeDetection(clusterScoped, routes)).toEqual({ channel: 'C0DEFAULT' });
  });

  it('mentions the on-call user group on critical detections', () => {
    expect(routeDetection(execDetection({ severity: 'critical' }), routes)).toEqual({
      channel: 'C0PLATFORM',
      mention: '<!subteam^S0ONCALL>',
    });
  });

  it('keeps a LOW detection quiet — no channel — when no route opts in', () => {
    expect(routeDetection(execDetection({ severity: 'low' }), routes)).toEqual({});
    expect(routeDetection(execDetection({ severity: 'low', namespace: 'team-dev' }), routes)).toEqual({});
  });

  it('posts a LOW detection where a route says minSeverity "low"', () => {
    const optedIn = slackConfig({
      defaultChannel: 'C0DEFAULT',
      routes: [{ namespace: 'kube-system', minSeverity: 'low', channel: 'C0PLATFORM' }],
    });
    expect(routeDetection(execDetection({ severity: 'low' }), optedIn)).toEqual({ channel: 'C0PLATFORM' });
    expect(routeDetection(execDetection({ severity: 'low', namespace: 'web' }), optedIn)).toEqual({});
  });

  it('gives a route without minSeverity medium detections and above', () => {
    expect(routeDetection(execDetection({ severity: 'medium', namespace: 'team-dev' }), routes).channel).toBe(
      '#dev-alerts',
    );
  });

  it('mentions nobody when no user group is configured', () => {
    const quiet = slackConfig({ defaultChannel: 'C0DEFAULT' });
    expect(routeDetection(execDetection({ severity: 'critical' }), quiet)).toEqual({ channel: 'C0DEFAULT' });
  });
});

describe('namespace glob', () => {
  it.each([
    ['*', '', true],
    ['*', 'anything', true],
    ['kube-*', 'kube-system', true],
    ['kube-*', 'kube-', true],
    ['kube-*', 'my-kube-system', false],
    ['*-dev', 'team-dev', true],
    ['*-dev', 'team-dev-2', false],
    ['team-*-prod', 'team-a-prod', true],
    ['team-*-prod', 'team-prod', false],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'acb', false],
    ['a*a', 'a', false],
    ['payments', 'payments', true],
    ['payments', 'Payments', false],
  ])('%s against %j is %s', (pattern, value, expected) => {
    expect(globMatches(pattern, value)).toBe(expected);
  });
});
