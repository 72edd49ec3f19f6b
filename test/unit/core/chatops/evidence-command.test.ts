import { describe, expect, it } from 'vitest';
import { EVIDENCE_USAGE } from '../../../../core/chatops/commands/evidence.ts';
import { COMMANDS, findCommand, planCommand } from '../../../../core/chatops/commands/registry.ts';
import { decodeQueuedRequest } from '../../../../core/chatops/requests.ts';
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

describe('/k8s evidence', () => {
  it('defaults to every cluster, the previous calendar month (the worker resolves it) and all frameworks', () => {
    expect(plan('evidence')).toEqual({
      type: 'enqueue',
      body: { kind: 'evidence', args: { frameworks: ['soc2', 'pci', 'iso27001'] } },
      scope: { anyCluster: true },
      target: 'evidence pack of every cluster',
      working:
        'Building the evidence pack of every cluster (the previous calendar month, soc2, pci, iso27001); it comes to you when it is stored…',
    });
    expect(plan('evidence all')).toMatchObject({ scope: { anyCluster: true } });
  });

  it('takes a cluster, the days both included and frameworks', () => {
    const planned = plan('evidence prod-cluster --from 2026-07-01 --to=2026-09-30 --framework SOC2,pci,soc2');

    expect(planned).toMatchObject({
      type: 'enqueue',
      body: {
        kind: 'evidence',
        args: { cluster: 'prod-cluster', from: '2026-07-01', to: '2026-09-30', frameworks: ['soc2', 'pci'] },
      },
      scope: { cluster: 'prod-cluster' },
      target: 'evidence pack of prod-cluster, 2026-07-01 to 2026-09-30',
    });
    // What the command queues is a valid request.
    if (planned.type !== 'enqueue') throw new Error('not queued');
    const queued = {
      v: 1,
      requestId: 'r-0123456789abcdef',
      source: 'command',
      receivedAt: '2026-12-03T10:00:00.000Z',
      actor: { userId: 'U0VIEWER', groups: [] },
      reply: {},
      ...planned.body,
    };
    expect(decodeQueuedRequest(JSON.stringify(queued)).kind).toBe('evidence');
  });

  it('takes a year, leap day included, and a one-day period', () => {
    expect(plan('evidence --from 2024-01-01 --to 2024-12-31')).toMatchObject({ type: 'enqueue' });
    expect(plan('evidence --from 2026-02-28 --to 2026-02-28')).toMatchObject({ type: 'enqueue' });
  });

  it.each([
    [
      'evidence --from 2026-02-30 --to 2026-03-01',
      `--from "2026-02-30" is not a date: write a calendar day as YYYY-MM-DD (UTC), e.g. 2026-11-01. Usage: ${EVIDENCE_USAGE}`,
    ],
    [
      'evidence --from 2026-01-01 --to 31/01/2026',
      `--to "31/01/2026" is not a date: write a calendar day as YYYY-MM-DD (UTC), e.g. 2026-11-01. Usage: ${EVIDENCE_USAGE}`,
    ],
    [
      'evidence --from 2026-01-01',
      `--from needs --to: give both days, or neither for the previous calendar month. Usage: ${EVIDENCE_USAGE}`,
    ],
    [
      'evidence --to 2026-01-01',
      `--to needs --from: give both days, or neither for the previous calendar month. Usage: ${EVIDENCE_USAGE}`,
    ],
    [
      'evidence --from 2026-03-01 --to 2026-02-28',
      `--to 2026-02-28 is before --from 2026-03-01: the period runs from --from to --to, both included. Usage: ${EVIDENCE_USAGE}`,
    ],
    [
      'evidence --from 2025-01-01 --to 2026-01-02',
      'the period 2025-01-01 to 2026-01-02 is 367 days; one pack covers at most 366: ask for shorter periods, e.g. one per quarter',
    ],
    [
      'evidence --framework hipaa',
      `unknown framework "hipaa"; use soc2, pci, iso27001 (several joined by commas), or leave --framework out for all three. Usage: ${EVIDENCE_USAGE}`,
    ],
    [
      'evidence --framework soc2,',
      `unknown framework "soc2,"; use soc2, pci, iso27001 (several joined by commas), or leave --framework out for all three. Usage: ${EVIDENCE_USAGE}`,
    ],
    [
      'evidence dev-cluster',
      'unknown cluster "dev-cluster"; configured clusters: prod-cluster, staging — use one of them, or add the cluster to kubeguard.config.json',
    ],
    ['evidence prod-cluster staging', `unexpected "staging". Usage: ${EVIDENCE_USAGE}`],
    [
      'evidence --since 2026-01-01',
      `unknown flag "--since"; flags: --from, --to, --framework. Usage: ${EVIDENCE_USAGE}`,
    ],
  ])('%s → a clear error', (text, message) => {
    expect(() => plan(text)).toThrow(message);
  });

  it('is listed by /k8s help with its role', () => {
    const answer = plan('help evidence');
    expect(answer.type === 'answer' ? answer.reply.text : '').toContain('/k8s evidence [CLUSTER|all]');
  });
});
