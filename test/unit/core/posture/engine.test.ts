import { describe, expect, it } from 'vitest';
import type { PostureCheck } from '#core/posture/check.ts';
import { kp060 } from '#core/posture/checks/kp-060-privileged.ts';
import { kp086 } from '#core/posture/checks/kp-086-approved-registries.ts';
import { runAudit } from '#core/posture/engine.ts';
import { ALL_CHECKS, NETWORK_CHECKS, WORKLOAD_CHECKS } from '#core/posture/registry.ts';
import { corpusSnapshot } from './support.ts';

const THROWING: PostureCheck = {
  ...kp060,
  id: 'KP-999',
  evaluate: () => {
    throw new TypeError("Cannot read properties of undefined (reading 'containers')");
  },
};

describe('posture engine', () => {
  it('skips a check whose inputs are unavailable, once, on the cluster object', () => {
    const snapshot = { ...corpusSnapshot('m08.yaml'), unavailable: { pods: 'no permission to list pods' } };

    const report = runAudit(snapshot, [kp060]);

    expect(report.results).toEqual([
      {
        checkId: 'KP-060',
        status: 'skip',
        severity: 'critical',
        object: { kind: 'Cluster', name: 'manifests' },
        message: 'skipped: pods unavailable: no permission to list pods',
        remediation: kp060.remediation,
      },
    ]);
  });

  it('turns a check that throws into a skip and still runs the others', () => {
    const report = runAudit(corpusSnapshot('m08.yaml'), [THROWING, kp060]);

    expect(report.results.map((r) => [r.checkId, r.status])).toEqual([
      ['KP-060', 'fail'],
      ['KP-999', 'skip'],
    ]);
    expect(report.results[1]?.message).toBe(
      "skipped: check failed: Cannot read properties of undefined (reading 'containers')",
    );
  });

  it('passes the audit options to the checks', () => {
    const options = { approvedRegistries: ['docker.io/library'] };

    const report = runAudit(corpusSnapshot('m10.yaml'), [kp086], options);

    expect(report.results.map((r) => r.status)).toEqual(['pass']);
  });

  it('runs every registered check by default, including 45 workload and network checks', () => {
    const report = runAudit(corpusSnapshot('m10.yaml'));

    expect(WORKLOAD_CHECKS.length + NETWORK_CHECKS.length).toBe(45);
    expect(report.checks.map((c) => c.id)).toEqual(ALL_CHECKS.map((c) => c.id));
    expect(new Set(ALL_CHECKS.map((c) => c.id)).size).toBe(ALL_CHECKS.length);
  });

  it('never crashes on malformed objects', () => {
    const snapshot = corpusSnapshot('m10.yaml');
    snapshot.objects.push(
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'weird' },
        spec: { containers: 'nginx', volumes: [null] },
      },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'empty' }, spec: null },
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'np' }, spec: 'x' },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' } },
    );

    const report = runAudit(snapshot);

    expect(report.results.filter((r) => r.message.startsWith('skipped: check failed'))).toEqual([]);
  });
});
