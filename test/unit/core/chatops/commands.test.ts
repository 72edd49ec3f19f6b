import { describe, expect, it } from 'vitest';
import { durationMinutes, formatMinutes, namespacedPod } from '../../../../core/chatops/commands/args.ts';
import { COMMANDS, findCommand, planCommand } from '../../../../core/chatops/commands/registry.ts';
import { parseConfig } from '../../../../core/config/schema.ts';

const config = parseConfig({
  clusters: [
    { name: 'prod-cluster', region: 'us-east-1' },
    { name: 'staging', region: 'eu-west-1' },
  ],
  slack: { defaultChannel: '#alerts' },
});

function plan(text: string) {
  const { spec, words } = findCommand(text);
  return planCommand(spec, words, { config, commands: COMMANDS });
}

describe('/k8s commands', () => {
  it('runs help for an empty command and lists every command with its role', () => {
    const answer = plan('  ');

    expect(answer).toMatchObject({ type: 'answer', scope: { anyCluster: true } });
    const text = answer.type === 'answer' ? answer.reply.text : '';
    expect(text.split('\n').filter((line) => line.startsWith('•'))).toEqual(
      COMMANDS.map((c) => `• \`${c.usage}\` — ${c.summary} _(${c.role})_`),
    );
  });

  it('explains one command', () => {
    const answer = plan('help SUPPRESS');

    expect(answer.type === 'answer' ? answer.reply.text : '').toContain(
      '`/k8s suppress FINDING DURATION [REASON…]` _(needs the responder role)_',
    );
  });

  it('refuses an unknown command, listing the known ones', () => {
    expect(() => plan('quarantine shop/web')).toThrow(
      `unknown command "quarantine"; commands: ${COMMANDS.map((c) => c.name).join(', ')} — try /k8s help`,
    );
    expect(COMMANDS.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'help',
        'findings',
        'ack',
        'suppress',
        'isolate',
        'release',
        'rotate',
        'status',
      ]),
    );
  });

  it('queues an acknowledgement of a finding named by the start of its id, in lower case', () => {
    expect(plan('ack 3F2A9C1E4B5D')).toEqual({
      type: 'enqueue',
      body: { kind: 'ack', args: { finding: '3f2a9c1e4b5d' } },
      scope: { anyCluster: true },
      target: 'finding 3f2a9c1e4b5d',
      finding: '3f2a9c1e4b5d',
      working: 'Acknowledging finding `3f2a9c1e4b5d`…',
    });
  });

  it.each([
    ['ack', 'missing FINDING. Usage: /k8s ack FINDING'],
    [
      'ack 3f2a',
      '"3f2a" is not a finding id: use the id /k8s findings shows (8 to 32 hex digits). Usage: /k8s ack FINDING',
    ],
    ['ack 3f2a9c1e extra', 'unexpected "extra". Usage: /k8s ack FINDING'],
    ['ack <!channel>', '"<!channel>" is not a finding id'],
    ['suppress 3f2a9c1e', 'missing DURATION. Usage: /k8s suppress FINDING DURATION [REASON…]'],
    ['suppress 3f2a9c1e 31d', '"31d" is not a duration from 1 minute to 30 days'],
    [
      'findings recent',
      '"recent" is neither open nor all. Usage: /k8s findings [open|all] [--cluster C] [--severity S]',
    ],
    ['findings --severity urgent', 'unknown severity "urgent"; use one of low, medium, high, critical'],
    ['findings --cluster', '--cluster needs a value. Usage: /k8s findings'],
    ['findings --namespace shop', 'unknown flag "--namespace"; flags: --cluster, --severity'],
    ['status now', 'unexpected "now". Usage: /k8s status'],
  ])('explains what is wrong with "%s"', (text, message) => {
    expect(() => plan(text)).toThrow(message);
  });

  it('refuses an unknown cluster and lists the configured ones', () => {
    expect(() => plan('findings --cluster prod-eu')).toThrow(
      'unknown cluster "prod-eu"; configured clusters: prod-cluster, staging — use one of them, or add the cluster to kubeguard.config.json',
    );
  });

  it('queues a suppression with its duration in minutes and the rest as the reason', () => {
    expect(plan('suppress 3f2a9c1e 2h planned load test')).toMatchObject({
      body: { kind: 'suppress', args: { finding: '3f2a9c1e', minutes: 120, reason: 'planned load test' } },
      working: 'Suppressing finding `3f2a9c1e` for 2h…',
    });
  });

  it('scopes a listing to its cluster, or to every cluster without one', () => {
    expect(plan('findings all --cluster=staging --severity HIGH')).toMatchObject({
      body: { kind: 'findings', args: { scope: 'all', cluster: 'staging', severity: 'high' } },
      scope: { cluster: 'staging' },
    });
    expect(plan('findings')).toMatchObject({ body: { args: { scope: 'open' } }, scope: {} });
  });

  it('queues /k8s digest subscribe for a channel mention, needing the configured channel role on the cluster', () => {
    const { spec, words } = findCommand('digest subscribe daily prod-cluster <#C0123ABCD|security>');
    expect(planCommand(spec, words, { config, commands: COMMANDS, userId: 'U0ASKER' })).toEqual({
      type: 'enqueue',
      body: {
        kind: 'digest',
        args: {
          op: 'subscribe',
          frequency: 'daily',
          cluster: 'prod-cluster',
          target: { kind: 'channel', channel: 'C0123ABCD' },
        },
      },
      scope: { cluster: 'prod-cluster' },
      role: 'admin',
      target: 'daily digest of prod-cluster for channel C0123ABCD',
      working: 'Subscribing <#C0123ABCD> to the daily digest of prod-cluster…',
    });
    expect(() => plan('digest weekly on')).toThrow('unknown digest command "weekly"');
  });
});

describe('argument values', () => {
  it.each([
    ['30m', 30],
    ['4h', 240],
    ['2d', 2880],
    ['1w', 10080],
    ['30d', 43200],
  ])('reads %s as %i minutes and writes it back', (text, minutes) => {
    expect(durationMinutes(text)).toBe(minutes);
    expect(formatMinutes(minutes)).toBe(text);
  });

  it.each(['0m', '4', 'h', '-1h', '1.5h', '4 h', '99999m'])('refuses the duration %s', (text) => {
    expect(() => durationMinutes(text)).toThrow('is not a duration from 1 minute to 30 days');
  });

  it('validates namespace and pod names as Kubernetes does', () => {
    expect(namespacedPod('shop/web-7d4b9.x2x1z', 'usage')).toEqual({
      namespace: 'shop',
      pod: 'web-7d4b9.x2x1z',
    });
    expect(() => namespacedPod('Shop/web', 'usage')).toThrow('"Shop" is not a namespace name');
    expect(() => namespacedPod(`shop/${'a'.repeat(254)}`, 'usage')).toThrow('is not a pod name');
    expect(() => namespacedPod('shop/web/x', 'usage')).toThrow(
      '"shop/web/x" is not NAMESPACE/POD. Usage: usage',
    );
    expect(() => namespacedPod(`${'n'.repeat(64)}/web`, 'usage')).toThrow('is not a namespace name');
  });
});
