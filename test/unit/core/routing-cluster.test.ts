import { describe, expect, it } from 'vitest';
import { type KubeguardConfigInput, parseConfig } from '#core/config/schema.ts';
import { channelForCluster } from '#core/routing.ts';

function slackConfig(routes: KubeguardConfigInput['slack']['routes']) {
  return parseConfig({
    clusters: [
      { name: 'prod-eu', region: 'eu-west-1' },
      { name: 'staging', region: 'eu-west-1' },
    ],
    slack: { defaultChannel: 'C0DEFAULT', routes },
  }).slack;
}

describe('channelForCluster (cluster-wide messages such as audit summaries)', () => {
  it('uses the first route naming the cluster for every namespace', () => {
    const slack = slackConfig([
      { cluster: 'prod-eu', namespace: 'payments', channel: 'C0PAYMENTS' },
      { cluster: 'prod-eu', minSeverity: 'critical', channel: 'C0PRODSEC' },
      { cluster: 'prod-eu', namespace: '*', channel: 'C0LATER' },
    ]);

    expect(channelForCluster('prod-eu', slack)).toBe('C0PRODSEC');
  });

  it('falls back to a route for every cluster, then to the default channel', () => {
    const slack = slackConfig([
      { cluster: 'prod-eu', channel: 'C0PRODSEC' },
      { namespace: 'kube-system', channel: 'C0PLATFORM' },
      { channel: 'C0EVERYTHING' },
    ]);

    expect(channelForCluster('staging', slack)).toBe('C0EVERYTHING');
    expect(channelForCluster('staging', slackConfig([{ namespace: 'kube-*', channel: 'C0PLATFORM' }]))).toBe(
      'C0DEFAULT',
    );
  });
});
