import { describe, expect, it } from 'vitest';
import type { KubeObject } from '#core/remediation/kube-objects.ts';
import {
  evaluateIsolation,
  QUARANTINE_ANNOTATION,
  quarantinePolicy,
  quarantineStateOf,
  requireQuarantineId,
  serializeState,
} from '#core/remediation/quarantine.ts';
import { fixturePod, SUSPECT, shopCluster } from '#test/support/remediation-cluster.ts';

/** The quarantine as recorded on the pod, and the policy that enforces it. */

const STATE = {
  id: 'q1',
  policy: 'kubeguard-quarantine-q1',
  detachedLabels: { app: 'web' },
  evidence: 'pods/shop/web/20240501t100000z-q1',
  at: '2024-05-01T10:00:00Z',
  by: 'slack:U1',
};

function podWith(annotation: string | undefined): KubeObject {
  const pod = fixturePod('web', 'shop');
  return {
    ...pod,
    metadata: {
      ...pod.metadata,
      annotations: annotation === undefined ? {} : { [QUARANTINE_ANNOTATION]: annotation },
    },
  };
}

describe('quarantine record', () => {
  it('reads back what was written', () => {
    expect(quarantineStateOf(podWith(serializeState(STATE)))).toEqual(STATE);
  });

  it('is absent on a pod kubeguard never quarantined', () => {
    expect(quarantineStateOf(podWith(undefined))).toBeUndefined();
  });

  it.each([
    ['not JSON', 'q1'],
    ['an unknown field', JSON.stringify({ ...STATE, extra: true })],
    ['an id that is not a label value', JSON.stringify({ ...STATE, id: 'Q 1' })],
  ])('refuses a record with %s, naming the value and what to do', (_what, raw) => {
    expect(() => quarantineStateOf(podWith(raw))).toThrow(
      expect.objectContaining({ code: 'PRECONDITION_FAILED' }),
    );
    expect(() => quarantineStateOf(podWith(raw))).toThrow(
      /remove the annotation and the kubeguard\.io\/quarantine label by hand/,
    );
  });

  it.each(['a', 'req-7f3a9c', '0'.repeat(40)])('accepts the quarantine id %s', (id) => {
    expect(requireQuarantineId(id)).toBe(id);
  });

  it.each(['', '-a', 'a-', 'A1', 'a_b', '0'.repeat(41)])('rejects the quarantine id %j', (id) => {
    expect(() => requireQuarantineId(id)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('quarantine policy under core/netpol', () => {
  const objects = shopCluster();
  const of = (kind: string) => objects.filter((o) => o.kind === kind);
  const suspect = objects.find((o) => o.metadata.name === SUSPECT) as KubeObject;
  const quarantined: KubeObject = {
    ...suspect,
    metadata: { ...suspect.metadata, labels: { 'kubeguard.io/quarantine': 'q1' } },
  };

  it('isolates the pod completely when it is the only policy selecting it', () => {
    const policy = quarantinePolicy({ namespace: 'shop', id: 'q1', pod: SUSPECT, allowDns: false });

    const report = evaluateIsolation(quarantined, [policy], of('Namespace'), of('Pod'));

    expect(report).toMatchObject({ complete: true, summary: 'isolation complete' });
  });

  it('leaves egress open when the pod does not carry the quarantine label', () => {
    const policy = quarantinePolicy({ namespace: 'shop', id: 'q1', pod: SUSPECT, allowDns: false });

    const report = evaluateIsolation(suspect, [policy], of('Namespace'), of('Pod'));

    expect(report.complete).toBe(false);
    expect(report.egress.status).toBe('open');
  });

  it('ignores policies of other namespaces', () => {
    const policy = quarantinePolicy({ namespace: 'shop', id: 'q1', pod: SUSPECT, allowDns: false });
    const elsewhere = {
      ...quarantinePolicy({ namespace: 'monitoring', id: 'q1', pod: 'x', allowDns: true }),
    };

    const report = evaluateIsolation(quarantined, [policy, elsewhere], of('Namespace'), of('Pod'));

    expect(report.complete).toBe(true);
  });
});
