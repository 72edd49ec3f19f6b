import { describe, expect, it } from 'vitest';
import type { KubeObject } from '#core/model/kube-object.ts';
import { kp093 } from '#core/posture/checks/kp-093-critical-image-findings.ts';
import { runCheck } from '#core/posture/engine.ts';
import { snapshotFromManifests } from '#core/posture/manifest-snapshot.ts';
import type { ClusterSnapshot } from '#core/posture/snapshot.ts';
import type { ImageFinding } from '#core/supply-chain/image-finding.ts';
import { decodeInspectorEvent } from '#core/supply-chain/inspector-event.ts';
import { readFixtureFile } from '#test/support/fixtures.ts';
import { deploymentPods, digestOf, pod } from '../../supply-chain/image-pods.ts';

/**
 * KP-093 on the decoded Inspector2 Finding event of test/fixtures/inspector (AWS documentation;
 * CVE-2024-6119, first observed 2024-09-04T16:55:38.411Z), with values changed, matched to pods as
 * the API server returns them once the kubelet reported their `imageID`.
 */
const REPO = '123456789012.dkr.ecr.eu-central-1.amazonaws.com/inspector2';
const OLD = digestOf('old');
const NEW = digestOf('new');
const FIRST_SEEN = '2024-09-04T16:55:38.411Z';
/** 41 days after the fixture's firstObservedAt. */
const TAKEN_AT = '2024-10-15T17:00:00.000Z';

function finding(id: string, digest: string, overrides: Partial<ImageFinding> = {}): ImageFinding {
  const raw = readFixtureFile('inspector/inspector2-finding-ecr-package-vulnerability.json');
  const detail = raw.detail as Record<string, unknown>;
  detail.severity = 'CRITICAL';
  const result = decodeInspectorEvent(raw);
  if (result.kind !== 'finding') throw new Error(result.reason);
  const base = result.finding;
  return { ...base, vulnerabilityId: id, ...overrides, image: { ...base.image, digest } };
}

function live(objects: KubeObject[], imageFindings: ImageFinding[] | undefined): ClusterSnapshot {
  return {
    name: 'prod-eu',
    takenAt: TAKEN_AT,
    objects,
    unavailable: {},
    ...(imageFindings === undefined ? {} : { aws: { imageFindings } }),
  };
}

/** The tag moved: web-7d4-a still runs the old digest, web-7d4-b the new one. */
const web = () =>
  deploymentPods('payments', 'web', [
    { name: 'web-7d4-a', image: `${REPO}:ubuntu_latest`, imageID: `${REPO}@${OLD}` },
    { name: 'web-7d4-b', image: `${REPO}:ubuntu_latest`, imageID: `${REPO}@${NEW}` },
  ]);

describe('KP-093 critical Inspector findings on running images', () => {
  it('decodes the fixture as an ACTIVE CRITICAL finding first seen on 2024-09-04', () => {
    const decoded = finding('CVE-2024-6119', OLD);

    expect([decoded.status, decoded.inspectorSeverity, decoded.firstObservedAt]).toEqual([
      'ACTIVE',
      'CRITICAL',
      FIRST_SEEN,
    ]);
  });

  it('fails the workload whose pod still runs the old digest of a moved tag, naming image, CVEs and age', () => {
    const results = kp093.evaluate(live(web(), [finding('CVE-2024-6119', OLD)]));

    expect(results).toHaveLength(1);
    const [result] = results;
    expect(result?.status).toBe('fail');
    expect(result?.severity).toBe('high');
    expect(result?.object).toEqual({ kind: 'Deployment', namespace: 'payments', name: 'web' });
    expect(result?.message).toBe(
      `"${REPO}:ubuntu_latest" (${OLD.slice(0, 19)}…, container app) has 1 critical finding open more than 14 days (oldest 41 days): CVE-2024-6119`,
    );
    expect(result?.evidence).toEqual({ [`image ${REPO}:ubuntu_latest`]: `${OLD}: CVE-2024-6119` });
  });

  it('passes once every pod runs the new digest the tag moved to', () => {
    const moved = deploymentPods('payments', 'web', [
      { name: 'web-7d4-b', image: `${REPO}:ubuntu_latest`, imageID: `${REPO}@${NEW}` },
    ]);

    expect(kp093.evaluate(live(moved, [finding('CVE-2024-6119', OLD)]))).toEqual([
      expect.objectContaining({
        status: 'pass',
        object: { kind: 'Deployment', namespace: 'payments', name: 'web' },
        message: 'no image it runs has an active critical Inspector finding older than 14 days',
      }),
    ]);
  });

  it('counts the age from firstObservedAt to the snapshot: within the allowed days passes', () => {
    const recent = finding('CVE-2024-6119', OLD, { firstObservedAt: '2024-10-05T17:00:00.000Z' });

    expect(kp093.evaluate(live(web(), [recent]))[0]?.status).toBe('pass');
    expect(
      kp093.evaluate(live(web(), [finding('CVE-2024-6119', OLD)]), { criticalImageFindingMaxAgeDays: 45 })[0]
        ?.status,
    ).toBe('pass');
    expect(
      kp093.evaluate(live(web(), [finding('CVE-2024-6119', OLD)]), { criticalImageFindingMaxAgeDays: 30 })[0]
        ?.message,
    ).toContain('open more than 30 days (oldest 41 days)');
  });

  it('ignores findings that are not ACTIVE and CRITICAL', () => {
    const others = [
      finding('CVE-2024-0001', OLD, { status: 'SUPPRESSED' }),
      finding('CVE-2024-0002', OLD, { status: 'CLOSED' }),
      finding('CVE-2024-0003', OLD, { inspectorSeverity: 'HIGH', severity: 'high' }),
    ];

    expect(kp093.evaluate(live(web(), others))[0]?.status).toBe('pass');
  });

  it('bounds the CVE ids listed, oldest first, and passes the other workloads', () => {
    const ids = [
      'CVE-2024-0001',
      'CVE-2024-0002',
      'CVE-2024-0003',
      'CVE-2024-0004',
      'CVE-2024-0005',
      'CVE-2024-0006',
      'CVE-2024-0007',
    ];
    const findings = [
      ...ids.map((id) => finding(id, NEW)),
      finding('CVE-2023-9999', NEW, { firstObservedAt: '2024-06-01T00:00:00.000Z' }),
    ];
    const objects = [
      ...web(),
      pod('tools', {
        name: 'debug',
        image: 'busybox:1.36',
        imageID: `docker.io/library/busybox@${digestOf('busybox')}`,
      }),
    ];

    const results = kp093.evaluate(live(objects, findings));

    expect(results.map((r) => [r.object.kind, r.object.name, r.status])).toEqual([
      ['Deployment', 'web', 'fail'],
      ['Pod', 'debug', 'pass'],
    ]);
    expect(results[0]?.message).toBe(
      `"${REPO}:ubuntu_latest" (${NEW.slice(0, 19)}…, container app) has 8 critical findings open more than 14 days (oldest 136 days): CVE-2023-9999, CVE-2024-0001, CVE-2024-0002, CVE-2024-0003, CVE-2024-0004 and 3 more`,
    );
  });

  it('is skipped with its reason without Inspector findings: offline audits and live audits that did not read them', () => {
    const offline = snapshotFromManifests([], TAKEN_AT);
    expect(runCheck(kp093, offline)[0]?.message).toBe(
      'skipped: inspector:findings unavailable: offline audit of manifests: no AWS access',
    );

    expect(kp093.evaluate(live(web(), undefined))[0]?.message).toBe(
      'skipped: no Amazon Inspector findings in the snapshot (offline audit, or the audit did not read Inspector)',
    );

    const denied = {
      ...live(web(), undefined),
      unavailable: { 'inspector:findings': 'AccessDeniedException: inspector2:ListFindings' },
    };
    expect(runCheck(kp093, denied)[0]?.message).toBe(
      'skipped: inspector:findings unavailable: AccessDeniedException: inspector2:ListFindings',
    );
  });

  it('has nothing to check without a running pod whose digest is known', () => {
    const pending = [pod('payments', { name: 'web-0', image: `${REPO}:ubuntu_latest` })];

    expect(kp093.evaluate(live(pending, [finding('CVE-2024-6119', OLD)]))).toEqual([]);
  });
});
