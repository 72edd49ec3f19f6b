import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/config/schema.ts';
import { findingRecorderFor } from '../../core/findings/compose.ts';
import type { Detection } from '../../core/model/detection.ts';
import { fingerprintOf, separateIncidentKey } from '../../core/model/finding.ts';
import { guardDutyDetection } from '../support/detections.ts';
import { type Dynalite, startDynalite } from '../support/dynalite.ts';
import { dynamoStoreKind, inMemoryStoreKind } from '../support/finding-stores.ts';
import { auditDetections, bindingEvent, execEvent } from '../support/incident-events.ts';

/**
 * Incidents as both stores keep them: what the recorder writes (one occurrence per request, every
 * rule, the key a GuardDuty finding kept apart is stored under, quiet LOW incidents outside the
 * pending index), read back through the store.
 */
const CONFIG = parseConfig({
  clusters: [{ name: 'prod-cluster', region: 'us-east-1' }],
  slack: { defaultChannel: 'C0ALERTS' },
});
const FAR_FUTURE = '9999-01-01T00:00:00.000Z';

let db: Dynalite;
beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db.stop();
});

describe.each([inMemoryStoreKind(), dynamoStoreKind(() => db)])('incidents in the $name', (kind) => {
  async function setup() {
    const { store } = await kind.create();
    const recorder = findingRecorderFor({ config: CONFIG, store, clock: () => '2024-05-14T10:00:00.000Z' });
    return { store, recorder };
  }

  it('stores an exec into kube-system that three rules report as one incident with one occurrence', async () => {
    const { store, recorder } = await setup();
    const detections = auditDetections(execEvent());

    const report = await recorder.record(detections);

    expect(report).toMatchObject({ detections: 3, occurrencesStored: 1, findingsCreated: 1, toDeliver: 1 });
    const finding = await store.get(fingerprintOf(detections[0] as Detection));
    expect(finding?.occurrences).toBe(1);
    expect(finding?.rules?.map((r) => [r.ruleId, r.occurrences])).toEqual([
      ['KD-020', 1],
      ['KD-021', 1],
      ['KD-023', 1],
    ]);
    expect((await recorder.record(detections)).occurrencesStored).toBe(0);
  });

  it('stores a GuardDuty finding kept apart under its own key, and its redelivered revision there too', async () => {
    const { store, recorder } = await setup();
    const audit = auditDetections(execEvent({ at: '2024-05-14T08:50:00.000000Z' }));
    await recorder.record(audit);
    const guardDuty = guardDutyDetection('guardduty-eks-exec-in-kube-system-pod.json');
    const own = separateIncidentKey(fingerprintOf(guardDuty), 'Execution:Kubernetes/ExecInKubeSystemPod');

    await recorder.record([guardDuty]);
    await recorder.record([{ ...guardDuty, count: 3, updatedAt: '2024-05-14T10:30:00.000Z' }]);

    const apart = await store.get(own);
    expect(apart?.fingerprint).toBe(own);
    expect(apart?.occurrences).toBe(3);
    expect((await store.get(fingerprintOf(guardDuty)))?.occurrences).toBe(1);
  });

  it('keeps a LOW incident out of the outbox until a rule raises it', async () => {
    const { store, recorder } = await setup();
    const low = auditDetections(bindingEvent({ role: 'view' }));

    const quiet = await recorder.record(low);

    expect(quiet).toMatchObject({ findingsCreated: 1, toDeliver: 0 });
    expect((await store.get(fingerprintOf(low[0] as Detection)))?.delivery.state).toBe('quiet');
    expect(await store.listPendingDeliveries(FAR_FUTURE, 10)).toEqual([]);

    await recorder.record(
      auditDetections(
        bindingEvent({ auditId: '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9', at: '2024-05-14T09:07:00.000000Z' }),
      ),
    );

    const pending = await store.listPendingDeliveries(FAR_FUTURE, 10);
    expect(pending.map((entry) => entry.fingerprint)).toEqual([fingerprintOf(low[0] as Detection)]);
  });
});
