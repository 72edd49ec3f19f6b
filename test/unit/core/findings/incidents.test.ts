import { describe, expect, it } from 'vitest';
import { type KubeguardConfigInput, parseConfig } from '../../../../core/config/schema.ts';
import { alertDeliveryFor, findingRecorderFor } from '../../../../core/findings/compose.ts';
import type { StatusChange } from '../../../../core/findings/status.ts';
import type { StoredFinding } from '../../../../core/findings/stored-finding.ts';
import { normalizeGuardDutyEvent } from '../../../../core/guardduty/normalize.ts';
import type { Detection } from '../../../../core/model/detection.ts';
import { fingerprintOf } from '../../../../core/model/finding.ts';
import type { Block, SlackMessage } from '../../../../core/slack-views/blocks.ts';
import { validateBlockKitMessage } from '../../../../core/slack-views/blocks.ts';
import { guardDutyDetection } from '../../../support/detections.ts';
import { FakeMessenger } from '../../../support/fake-messenger.ts';
import { ManualTimers } from '../../../support/fake-timers.ts';
import { fixtureWith } from '../../../support/fixtures.ts';
import { InMemoryFindingStore } from '../../../support/in-memory-finding-store.ts';
import { ASMITH, auditDetections, bindingEvent, execEvent, JDOE } from '../../../support/incident-events.ts';

function setup(
  slack: Partial<KubeguardConfigInput['slack']> = {},
  incidents?: { joinWindowMinutes: number },
) {
  const config = parseConfig({
    clusters: [{ name: 'prod-cluster', region: 'us-east-1' }],
    slack: { defaultChannel: 'C0ALERTS', ...slack },
    ...(incidents === undefined ? {} : { incidents }),
  });
  const timers = new ManualTimers('2024-05-14T10:00:00.000Z');
  const store = new InMemoryFindingStore();
  const messenger = new FakeMessenger();
  // Record, then deliver: what the ingest functions and the delivery function do, one after the other.
  const recorder = findingRecorderFor({ config, store, clock: timers.nowIso });
  const delivery = alertDeliveryFor({ config, store, messenger, timers });
  const run = { owner: 'delivery-worker' };
  const pipeline = {
    process: async (detections: readonly Detection[]) => {
      const report = await recorder.record(detections);
      await delivery.deliverPending(run);
      return report;
    },
    sweep: () => delivery.deliverPending(run),
    changeStatus: (change: StatusChange) => delivery.changeStatus(change, run),
  };
  return { config, timers, store, messenger, pipeline };
}

/** The GuardDuty exec finding (kube-system/aws-node-7xk2p by jdoe's session), optionally rescored. */
function guardDutyExec(detail: Record<string, unknown> = {}): Detection {
  const result = normalizeGuardDutyEvent(
    fixtureWith('guardduty-eks-exec-in-kube-system-pod.json', { detail }),
  );
  if (result.kind !== 'detection') throw new Error('fixture should normalize');
  return { ...result.detection, actor: { arn: JDOE.arn, sessionName: 'jdoe' } };
}

function header(message: { blocks: readonly unknown[] }): string {
  const block = (message.blocks as Block[]).find((b) => b.block_id === 'alert_header');
  return block?.type === 'header' ? block.text.text : '';
}

function sectionText(message: { blocks: readonly unknown[] }, blockId: string): string {
  const block = (message.blocks as Block[]).find((b) => b.block_id === blockId);
  return block?.type === 'section' ? (block.text?.text ?? '') : '';
}

function only<T>(items: readonly T[]): T {
  expect(items).toHaveLength(1);
  return items[0] as T;
}

async function storedFinding(store: InMemoryFindingStore, detection: Detection): Promise<StoredFinding> {
  const finding = await store.get(fingerprintOf(detection));
  if (finding === undefined) throw new Error('finding not stored');
  return finding;
}

describe('one request, one incident, one message', () => {
  it('posts one alert for an exec into kube-system that KD-020, KD-021 and KD-023 all report', async () => {
    const { store, messenger, pipeline } = setup();
    const detections = auditDetections(execEvent());
    expect(detections.map((d) => d.ruleId)).toEqual(['KD-020', 'KD-021', 'KD-023']);

    const report = await pipeline.process(detections);

    expect(report).toMatchObject({ findingsCreated: 1, occurrencesStored: 1 });
    const message = only(messenger.channelMessages);
    expect(header(message)).toBe('[HIGH] Exec into a kube-system pod and 2 more');
    expect(sectionText(message, 'alert_rating')).toBe(
      '*Severity: HIGH* — rated by KD-021; KD-020 and KD-023 rate it medium',
    );
    expect(sectionText(message, 'alert_rule_1')).toMatch(
      /^\*\[HIGH\]\* \*KD-021\* Exec into a kube-system pod · seen once\n\*Why it matters:\* /,
    );
    expect(sectionText(message, 'alert_rule_2')).toMatch(/^\*\[MEDIUM\]\* \*KD-020\* /);
    expect(sectionText(message, 'alert_rule_3')).toMatch(/^\*\[MEDIUM\]\* \*KD-023\* /);
    expect(validateBlockKitMessage(message as unknown as SlackMessage)).toEqual([]);
    // One set of buttons.
    expect((message.blocks as Block[]).filter((b) => b.type === 'actions')).toHaveLength(1);

    const finding = await storedFinding(store, detections[0] as Detection);
    expect(finding.occurrences).toBe(1);
    expect(finding.detection.ruleId).toBe('KD-021');
    // Stored in the order they first reported; the alert ranks them.
    expect(finding.rules?.map((r) => [r.ruleId, r.severity, r.occurrences])).toEqual([
      ['KD-020', 'medium', 1],
      ['KD-021', 'high', 1],
      ['KD-023', 'medium', 1],
    ]);
    expect(store.occurrences.size).toBe(1);
  });

  it('posts one alert for a cluster-admin binding that KD-040 and KD-047 report', async () => {
    const { store, messenger, pipeline } = setup();
    const detections = auditDetections(bindingEvent());
    expect(detections.map((d) => d.ruleId)).toEqual(['KD-040', 'KD-047']);

    await pipeline.process(detections);

    const message = only(messenger.channelMessages);
    expect(header(message)).toBe('[HIGH] Binding to cluster-admin and 1 more');
    const finding = await storedFinding(store, detections[0] as Detection);
    expect(finding.rules?.map((r) => r.ruleId)).toEqual(['KD-040', 'KD-047']);
    expect(finding.occurrences).toBe(1);
  });

  it('counts the same exec seen again as a second occurrence of every rule, still one message', async () => {
    const { store, messenger, pipeline } = setup();
    await pipeline.process(auditDetections(execEvent()));
    const again = auditDetections(
      execEvent({ auditId: '0d2c7a8e-5b1f-4e0a-9a63-2f7a1d4c9e11', at: '2024-05-14T09:06:00.000000Z' }),
    );
    await pipeline.process(again);
    expect(messenger.channelMessages).toHaveLength(1);
    const finding = await storedFinding(store, again[0] as Detection);
    expect(finding.occurrences).toBe(2);
    expect(finding.rules?.map((r) => r.occurrences)).toEqual([2, 2, 2]);
  });

  it('keeps two people sharing kubernetes-admin apart: two incidents, two messages', async () => {
    const { messenger, pipeline } = setup();
    const jdoe = auditDetections(execEvent({ actor: JDOE }));
    const asmith = auditDetections(
      execEvent({ actor: ASMITH, auditId: '7b0e3f52-9c1d-4a8e-b6f0-3d2e1c4b5a69' }),
    );
    expect(jdoe[0]?.principal).toBe('kubernetes-admin');
    expect(asmith[0]?.principal).toBe('kubernetes-admin');

    await pipeline.process([...jdoe, ...asmith]);

    expect(messenger.channelMessages).toHaveLength(2);
    expect(fingerprintOf(jdoe[0] as Detection)).not.toBe(fingerprintOf(asmith[0] as Detection));
  });
});

describe('a GuardDuty finding about the same cluster, pod and actor', () => {
  it('joins the incident within 15 minutes: its thread and evidence, no new message', async () => {
    const { store, messenger, pipeline } = setup();
    // Audit exec at 09:05; GuardDuty saw it first at 09:11:02.
    const audit = auditDetections(execEvent({ at: '2024-05-14T09:05:00.000000Z' }));
    await pipeline.process(audit);
    const guardDuty = guardDutyExec();
    expect(fingerprintOf(guardDuty)).toBe(fingerprintOf(audit[0] as Detection));

    await pipeline.process([guardDuty]);

    expect(messenger.channelMessages).toHaveLength(1);
    const replies = messenger.posts.filter((p) => p.threadTs !== undefined);
    expect(only(replies).text).toContain('198.51.100.23');
    const finding = await storedFinding(store, guardDuty);
    expect(finding.occurrences).toBe(2);
    expect(finding.rules?.map((r) => r.findingType ?? r.ruleId)).toEqual([
      'KD-020',
      'KD-021',
      'KD-023',
      'Execution:Kubernetes/ExecInKubeSystemPod',
    ]);
  });

  it('is an incident of its own when it comes more than 15 minutes after the incident', async () => {
    const { store, messenger, pipeline } = setup();
    const audit = auditDetections(execEvent({ at: '2024-05-14T08:50:00.000000Z' }));
    await pipeline.process(audit);

    await pipeline.process([guardDutyExec()]);

    expect(messenger.channelMessages).toHaveLength(2);
    const base = await storedFinding(store, audit[0] as Detection);
    expect(base.occurrences).toBe(1);
    expect(base.rules?.some((r) => r.findingType !== undefined)).toBe(false);
    expect(store.findings.size).toBe(2);
    // Each finding names the key it is stored under (the DynamoDB store writes it there).
    for (const [key, finding] of store.findings) expect(finding.fingerprint).toBe(key);
  });

  it('honours a configured window', async () => {
    const { messenger, pipeline } = setup({}, { joinWindowMinutes: 30 });
    await pipeline.process(auditDetections(execEvent({ at: '2024-05-14T08:50:00.000000Z' })));
    await pipeline.process([guardDutyExec()]);
    expect(messenger.channelMessages).toHaveLength(1);
  });

  it('keeps a redelivered revision in the incident it joined', async () => {
    const { store, messenger, pipeline } = setup();
    const audit = auditDetections(execEvent({ at: '2024-05-14T09:05:00.000000Z' }));
    await pipeline.process(audit);
    await pipeline.process([guardDutyExec()]);
    // Much later, the base incident has moved on; the revision (count 3) still belongs here.
    await pipeline.process(
      auditDetections(
        execEvent({ auditId: '1f4e5d6c-7b8a-4c9d-8e0f-a1b2c3d4e5f6', at: '2024-05-14T09:40:00.000000Z' }),
      ),
    );
    await pipeline.process([guardDutyExec({ updatedAt: '2024-05-14T10:30:00.000Z', service: { count: 3 } })]);

    expect(messenger.channelMessages).toHaveLength(1);
    expect(store.findings.size).toBe(1);
    const finding = await storedFinding(store, audit[0] as Detection);
    // Audit 1 + GuardDuty 3 (its first revision's 1 and the revision's 2 more) + audit 1.
    expect(finding.occurrences).toBe(5);
  });

  it('keeps a redelivered revision in its own incident after the base incident grew over it', async () => {
    const { store, messenger, pipeline } = setup();
    await pipeline.process(auditDetections(execEvent({ at: '2024-05-14T08:50:00.000000Z' })));
    const first = guardDutyExec();
    await pipeline.process([first]);
    // An audit exec at 09:10 widens the base incident to hold 09:11:02.
    await pipeline.process(
      auditDetections(
        execEvent({ auditId: '2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d', at: '2024-05-14T09:10:00.000000Z' }),
      ),
    );
    await pipeline.process([guardDutyExec({ updatedAt: '2024-05-14T10:30:00.000Z', service: { count: 2 } })]);

    expect(messenger.channelMessages).toHaveLength(2);
    const counts = [...store.findings.values()].map((f) => [f.rules?.length, f.occurrences]).sort();
    expect(counts).toEqual([
      [1, 2],
      [3, 2],
    ]);
  });
});

describe('severity from several sources', () => {
  it('keeps GuardDuty’s numeric severity on its detection', () => {
    expect(guardDutyDetection('guardduty-eks-exec-in-kube-system-pod.json')).toMatchObject({
      severity: 'medium',
      severityScore: 5,
    });
  });

  it('takes GuardDuty’s rating when it is the highest and says so', async () => {
    const { messenger, pipeline } = setup();
    await pipeline.process([...auditDetections(execEvent()), guardDutyExec({ severity: 9.5 })]);
    const message = only(messenger.channelMessages);
    expect(header(message)).toBe(
      '[CRITICAL] Command executed inside a pod in kube-system namespace on EKS Cluster prod-cluster. and 3 more',
    );
    expect(sectionText(message, 'alert_rating')).toBe(
      '*Severity: CRITICAL* — rated by GuardDuty (9.5); KD-021 rates it high; KD-020 and KD-023 rate it medium',
    );
  });

  it('says the rule rated it when GuardDuty rates it lower', async () => {
    const { messenger, pipeline } = setup();
    await pipeline.process([...auditDetections(execEvent()), guardDutyExec()]);
    expect(sectionText(only(messenger.channelMessages), 'alert_rating')).toBe(
      '*Severity: HIGH* — rated by KD-021; KD-020, KD-023 and GuardDuty (5.0) rate it medium',
    );
  });

  it('names every source that agrees on the highest rating', async () => {
    const { messenger, pipeline } = setup();
    await pipeline.process([...auditDetections(execEvent()), guardDutyExec({ severity: 8 })]);
    expect(sectionText(only(messenger.channelMessages), 'alert_rating')).toMatch(
      /^\*Severity: HIGH\* — rated by KD-021 and GuardDuty \(8\.0\);/,
    );
  });
});

describe('quiet defaults', () => {
  // Binding the `view` ClusterRole: only KD-047 (LOW) reports it.
  const viewBinding = () => auditDetections(bindingEvent({ role: 'view' }));

  it('stores and lists a LOW incident but does not post it', async () => {
    const { store, messenger, pipeline, timers } = setup();
    expect(viewBinding().map((d) => [d.ruleId, d.severity])).toEqual([['KD-047', 'low']]);

    const report = await pipeline.process(viewBinding());

    expect(report.findingsCreated).toBe(1);
    expect(messenger.calls).toHaveLength(0);
    const finding = await storedFinding(store, viewBinding()[0] as Detection);
    expect(finding.delivery).toMatchObject({ state: 'quiet', channel: '' });
    expect(await store.listPendingDeliveries('9999-01-01T00:00:00.000Z', 100)).toEqual([]);
    timers.advance(3_600_000);
    await pipeline.sweep();
    expect(messenger.calls).toHaveLength(0);
  });

  it('posts a LOW incident where a route opts in with minSeverity "low"', async () => {
    const { messenger, pipeline } = setup({ routes: [{ channel: 'C0RBACAUDIT', minSeverity: 'low' }] });
    await pipeline.process(viewBinding());
    expect(only(messenger.channelMessages).channel).toBe('C0RBACAUDIT');
  });

  it('does not post a LOW incident to a route that does not say minSeverity "low"', async () => {
    const { messenger, pipeline } = setup({ routes: [{ channel: 'C0RBACAUDIT' }] });
    await pipeline.process(viewBinding());
    expect(messenger.calls).toHaveLength(0);
  });

  it('posts the incident, with every count, once a rule raises it to medium or above', async () => {
    const { store, messenger, pipeline } = setup();
    await pipeline.process(viewBinding());
    // The same person rebinds the same binding to cluster-admin: KD-040 (HIGH) joins the incident.
    const escalated = auditDetections(
      bindingEvent({ auditId: '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9', at: '2024-05-14T09:07:00.000000Z' }),
    );
    await pipeline.process(escalated);

    const message = only(messenger.channelMessages);
    expect(message.channel).toBe('C0ALERTS');
    expect(header(message)).toBe('[HIGH] Binding to cluster-admin and 1 more');
    expect(messenger.posts.filter((p) => p.threadTs !== undefined)).toHaveLength(0);
    const finding = await storedFinding(store, escalated[0] as Detection);
    expect(finding.occurrences).toBe(2);
    expect(finding.delivery).toMatchObject({ state: 'delivered', channel: 'C0ALERTS' });
    expect(finding.rules?.map((r) => [r.ruleId, r.occurrences])).toEqual([
      ['KD-047', 2],
      ['KD-040', 1],
    ]);
  });

  it('stores a status change of a quiet incident without posting anything', async () => {
    const { store, messenger, pipeline, timers } = setup();
    await pipeline.process(viewBinding());
    const fingerprint = fingerprintOf(viewBinding()[0] as Detection);

    const outcome = await pipeline.changeStatus({
      fingerprint,
      to: 'acknowledged',
      actor: 'U0RESPONDER',
      at: timers.nowIso(),
    });

    expect(outcome).toBe('quiet');
    expect(messenger.calls).toHaveLength(0);
    expect((await store.get(fingerprint))?.status).toBe('acknowledged');
    expect(await store.listPendingDeliveries('9999-01-01T00:00:00.000Z', 100)).toEqual([]);
  });

  it('still posts a LOW GuardDuty finding that joins a posted incident, in its thread', async () => {
    const { messenger, pipeline } = setup();
    await pipeline.process(auditDetections(execEvent()));
    await pipeline.process([guardDutyExec({ severity: 2 })]);
    expect(messenger.channelMessages).toHaveLength(1);
    expect(messenger.posts.filter((p) => p.threadTs !== undefined)).toHaveLength(1);
  });
});

describe('findings stored before incidents', () => {
  it('loads a finding without rules, derives its rule from the detection and adds new ones', async () => {
    const { store, messenger, pipeline } = setup();
    const [kd020, kd021] = auditDetections(execEvent());
    const old = await pipeline.process([kd020 as Detection]);
    expect(old.findingsCreated).toBe(1);
    const stored = await storedFinding(store, kd020 as Detection);
    const { rules: _dropped, ...withoutRules } = stored;
    store.findings.set(stored.fingerprint, withoutRules);

    await pipeline.process([
      { ...(kd021 as Detection), eventId: 'another-request', firstSeen: '2024-05-14T09:06:00.000Z' },
    ]);

    const finding = await storedFinding(store, kd020 as Detection);
    expect(finding.rules?.map((r) => [r.ruleId, r.occurrences])).toEqual([
      ['KD-020', 1],
      ['KD-021', 1],
    ]);
    expect(messenger.channelMessages).toHaveLength(1);
  });
});
