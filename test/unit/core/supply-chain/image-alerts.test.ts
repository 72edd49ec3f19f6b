import { describe, expect, it } from 'vitest';
import { incidentsOfBatch } from '#core/findings/record.ts';
import { evidenceLine } from '#core/findings/stored-finding.ts';
import type { Detection } from '#core/model/detection.ts';
import { fingerprintOf } from '#core/model/finding.ts';
import {
  IMAGE_ALERT_LIMITS,
  IMAGE_ALERT_RULE_ID,
  type ImageAlert,
  imageAlertDetection,
  matchImageFindings,
} from '#core/supply-chain/image-alerts.ts';
import type { ImageFinding, RunningContainer } from '#core/supply-chain/image-finding.ts';
import { decodeInspectorEvent } from '#core/supply-chain/inspector-event.ts';
import { runningContainersOf } from '#core/supply-chain/running-images.ts';
import { readFixtureFile } from '../../../support/fixtures.ts';
import { deploymentPods, digestOf, pod } from './image-pods.ts';

const OLD = digestOf('old');
const NEW = digestOf('new');
const REPO = '123456789012.dkr.ecr.eu-central-1.amazonaws.com/inspector2';

/** The decoded package-vulnerability fixture (CVE-2024-6119, MEDIUM), with values changed. */
function finding(overrides: Partial<ImageFinding> & { digest?: string } = {}): ImageFinding {
  const result = decodeInspectorEvent(
    readFixtureFile('inspector/inspector2-finding-ecr-package-vulnerability.json'),
  );
  if (result.kind !== 'finding') throw new Error(result.reason);
  const { digest, ...rest } = overrides;
  const base = result.finding;
  return { ...base, ...rest, image: { ...base.image, ...(digest === undefined ? {} : { digest }) } };
}

function cve(id: string, inspectorSeverity: string, score: number, digest = OLD): ImageFinding {
  const severity = ({ CRITICAL: 'critical', HIGH: 'high', MEDIUM: 'medium', LOW: 'low' } as const)[
    inspectorSeverity as 'CRITICAL'
  ];
  return finding({
    findingArn: `arn:aws:inspector2:eu-central-1:123456789012:finding/${id}`,
    vulnerabilityId: id,
    title: `${id} - openssl`,
    severity,
    inspectorSeverity,
    inspectorScore: score,
    digest,
  });
}

/** The tag moved: web-7d4-a still runs the old digest, web-7d4-b the new one; api runs the old one too. */
function containers(): RunningContainer[] {
  return [
    ...runningContainersOf(
      { name: 'prod-eu', account: '222233334444', region: 'eu-central-1' },
      deploymentPods('payments', 'web', [
        { name: 'web-7d4-a', image: `${REPO}:ubuntu_latest`, imageID: `${REPO}@${OLD}` },
        { name: 'web-7d4-b', image: `${REPO}:ubuntu_latest`, imageID: `${REPO}@${NEW}` },
      ]),
    ),
    ...runningContainersOf({ name: 'staging', region: 'eu-central-1' }, [
      pod('api', { name: 'api-0', image: `${REPO}:ubuntu_latest`, imageID: `${REPO}@${OLD}` }),
    ]),
  ];
}

describe('matchImageFindings', () => {
  it('matches by the digest running, not the tag: only the pod still on the vulnerable digest', () => {
    const { alerts, notRunning } = matchImageFindings([cve('CVE-2024-6119', 'HIGH', 7.5)], containers());
    expect(notRunning).toEqual([]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.running.map((c) => `${c.cluster}/${c.namespace}/${c.pod}`)).toEqual([
      'prod-eu/payments/web-7d4-a',
      'staging/api/api-0',
    ]);
  });

  it('groups two CVEs of one severity on one image into one alert, highest score first', () => {
    const { alerts } = matchImageFindings(
      [cve('CVE-2024-0001', 'HIGH', 7.1), cve('CVE-2024-0002', 'HIGH', 8.8)],
      containers(),
    );
    expect(alerts.map((a) => [a.digest, a.severity, a.findings.map((f) => f.vulnerabilityId)])).toEqual([
      [OLD, 'high', ['CVE-2024-0002', 'CVE-2024-0001']],
    ]);
  });

  it('makes one alert per severity: HIGH and CRITICAL on one image are two alerts, critical first', () => {
    const { alerts } = matchImageFindings(
      [cve('CVE-2024-0001', 'HIGH', 7.1), cve('CVE-2024-0003', 'CRITICAL', 9.8)],
      containers(),
    );
    expect(alerts.map((a) => [a.severity, a.findings.length])).toEqual([
      ['critical', 1],
      ['high', 1],
    ]);
  });

  it('an image that runs nowhere is not an alert: it is reported in notRunning', () => {
    const elsewhere = digestOf('nowhere');
    const { alerts, notRunning } = matchImageFindings(
      [cve('CVE-1', 'LOW', 2, elsewhere), cve('CVE-2', 'CRITICAL', 9.1, elsewhere)],
      containers(),
    );
    expect(alerts).toEqual([]);
    expect(notRunning).toEqual([
      {
        digest: elsewhere,
        image: { ...finding().image, digest: elsewhere },
        findings: 2,
        severities: ['critical', 'low'],
      },
    ]);
  });

  it('counts only ACTIVE findings, and a finding given twice once (its latest revision)', () => {
    const active = cve('CVE-2024-0001', 'HIGH', 7.1);
    const { alerts } = matchImageFindings(
      [
        active,
        { ...active, updatedAt: '2024-09-06T00:00:00.000Z', inspectorScore: 7.9 },
        { ...cve('CVE-2024-0002', 'HIGH', 8), status: 'SUPPRESSED' },
        { ...cve('CVE-2024-0003', 'HIGH', 8), status: 'CLOSED' },
      ],
      containers(),
    );
    expect(alerts.map((a) => a.findings.map((f) => [f.vulnerabilityId, f.inspectorScore]))).toEqual([
      [['CVE-2024-0001', 7.9]],
    ]);
  });

  it('is deterministic whatever the input order', () => {
    const findings = [
      cve('A', 'HIGH', 7),
      cve('B', 'CRITICAL', 9),
      cve('C', 'HIGH', 7, NEW),
      cve('D', 'LOW', 1, digestOf('x')),
    ];
    const first = matchImageFindings(findings, containers());
    const second = matchImageFindings([...findings].reverse(), [...containers()].reverse());
    expect(second).toEqual(first);
    expect(first.alerts.map((a) => [a.severity, a.digest])).toEqual(
      [
        ['critical', OLD],
        ['high', NEW],
        ['high', OLD],
      ].sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : 0)),
    );
  });
});

function alertOf(findings: ImageFinding[], running = containers()): ImageAlert {
  const [alert] = matchImageFindings(findings, running).alerts;
  if (alert === undefined) throw new Error('no alert');
  return alert;
}

describe('imageAlertDetection', () => {
  const unreadable = [
    { cluster: 'dr-us', reason: 'AccessDenied: not authorized to perform eks:DescribeCluster' },
  ];

  it('describes the image, its vulnerabilities and where it runs', () => {
    const inUse = finding({ digest: OLD, inspectorSeverity: 'HIGH', severity: 'high', inspectorScore: 7.5 });
    inUse.image = { ...inUse.image, inUseCount: 3, lastInUseAt: '2024-09-05T08:00:00.000Z' };
    const detection = imageAlertDetection(alertOf([inUse]), { unreadableClusters: unreadable });
    expect(detection).toEqual({
      ruleId: IMAGE_ALERT_RULE_ID,
      title: 'Running image with high vulnerabilities: inspector2',
      severity: 'high',
      mitre: [],
      source: 'inspector',
      summary:
        'Image inspector2@sha256:cba06b5736fa has 1 high vulnerability (CVE-2024-6119) and runs in 2 pods of 2 workloads on 2 clusters (prod-eu, staging).',
      summaryParts: [
        { kind: 'text', text: 'Image ' },
        { kind: 'value', text: 'inspector2@sha256:cba06b5736fa' },
        { kind: 'text', text: ' has 1 high vulnerability (' },
        { kind: 'value', text: 'CVE-2024-6119' },
        { kind: 'text', text: ') and runs in 2 pods of 2 workloads on 2 clusters (' },
        { kind: 'value', text: 'prod-eu' },
        { kind: 'text', text: ', ' },
        { kind: 'value', text: 'staging' },
        { kind: 'text', text: ').' },
      ],
      sourceIps: [],
      evidence: {},
      eventId: detection.eventId,
      firstSeen: '2024-09-04T16:55:38.411Z',
      lastSeen: '2024-09-04T16:55:38.411Z',
      updatedAt: '2024-09-04T16:55:38.411Z',
      count: 1,
      account: '123456789012',
      region: 'eu-central-1',
      image: `inspector2@${OLD}`,
      imageVulnerability: {
        registry: '123456789012',
        repository: 'inspector2',
        digest: OLD,
        tags: ['ubuntu_latest'],
        severity: 'high',
        vulnerabilities: [
          {
            id: 'CVE-2024-6119',
            title: 'CVE-2024-6119 - libssl3t64, openssl',
            inspectorSeverity: 'HIGH',
            inspectorScore: 7.5,
            packages: [
              { name: 'libssl3t64', installed: '3.0.13-0ubuntu3.2', fixed: '0:3.0.13-0ubuntu3.4' },
              { name: 'openssl', installed: '3.0.13-0ubuntu3.2', fixed: '0:3.0.13-0ubuntu3.4' },
            ],
            omittedPackages: 0,
            fixAvailable: 'YES',
            exploitAvailable: 'NO',
          },
        ],
        omittedVulnerabilities: 0,
        inUseCount: 3,
        lastInUseAt: '2024-09-05T08:00:00.000Z',
        workloads: [
          {
            cluster: 'prod-eu',
            account: '222233334444',
            namespace: 'payments',
            workload: 'deployment/web',
            pods: 1,
          },
          { cluster: 'staging', namespace: 'api', workload: 'pod/api-0', pods: 1 },
        ],
        omittedWorkloads: 0,
        pods: 2,
        clusters: ['prod-eu', 'staging'],
        unreadableClusters: unreadable,
      },
    } satisfies Detection);
    expect(detection.eventId).toMatch(/^inspector:[0-9a-f]{32}$/);
    // Several clusters: no cluster, no namespace (the alert lists them).
    expect(detection.cluster).toBeUndefined();
  });

  it('names the cluster and namespace when one namespace of one cluster runs the image', () => {
    const running = containers().filter((c) => c.cluster === 'prod-eu');
    const detection = imageAlertDetection(alertOf([cve('CVE-1', 'HIGH', 7)], running), {
      unreadableClusters: [],
    });
    expect([detection.cluster, detection.namespace]).toEqual(['prod-eu', 'payments']);
  });

  it('keys the incident by digest and severity only: other clusters, CVEs or revisions update the same alert', () => {
    const context = { unreadableClusters: [] };
    const high = imageAlertDetection(alertOf([cve('CVE-1', 'HIGH', 7)]), context);
    const moreClusters = imageAlertDetection(
      alertOf([cve('CVE-1', 'HIGH', 7), cve('CVE-2', 'HIGH', 8)], containers().slice(0, 1)),
      context,
    );
    const critical = imageAlertDetection(alertOf([cve('CVE-3', 'CRITICAL', 9.8)]), context);
    const otherImage = imageAlertDetection(alertOf([cve('CVE-1', 'HIGH', 7, NEW)]), context);
    expect(fingerprintOf(moreClusters)).toBe(fingerprintOf(high));
    expect(new Set([fingerprintOf(high), fingerprintOf(critical), fingerprintOf(otherImage)]).size).toBe(3);
    expect(fingerprintOf(high)).toMatch(/^[0-9a-f]{32}$/);
  });

  it('gives the same event id to the same content (redelivery counts once), a new one when it changes', () => {
    const context = { unreadableClusters: [] };
    const once = imageAlertDetection(alertOf([cve('CVE-1', 'HIGH', 7)]), context);
    const again = imageAlertDetection(alertOf([cve('CVE-1', 'HIGH', 7)]), context);
    // A rollout: same workloads, new pod names.
    const rolled = containers().map((c) => ({ ...c, pod: `${c.pod}-new` }));
    const afterRollout = imageAlertDetection(alertOf([cve('CVE-1', 'HIGH', 7)], rolled), context);
    const revised = imageAlertDetection(
      alertOf([{ ...cve('CVE-1', 'HIGH', 7), updatedAt: '2024-09-07T00:00:00.000Z' }]),
      context,
    );
    expect(again.eventId).toBe(once.eventId);
    expect(afterRollout.eventId).toBe(once.eventId);
    expect(revised.eventId).not.toBe(once.eventId);
  });

  it('is one incident per image and severity in the findings pipeline, never joined like GuardDuty', async () => {
    const context = { unreadableClusters: [] };
    const first = imageAlertDetection(alertOf([cve('CVE-1', 'HIGH', 7)]), context);
    const second = imageAlertDetection(alertOf([cve('CVE-1', 'HIGH', 7), cve('CVE-2', 'HIGH', 8)]), context);
    const critical = imageAlertDetection(alertOf([cve('CVE-3', 'CRITICAL', 9.8)]), context);
    const incidents = await incidentsOfBatch([first, first, second, critical], {
      now: '2024-09-08T00:00:00.000Z',
      channel: 'C1',
    });
    expect(
      incidents.map((i) => [i.finding.fingerprint, i.finding.occurrences, i.finding.detection.severity]),
    ).toEqual([
      [fingerprintOf(first), 2, 'high'],
      [fingerprintOf(critical), 1, 'critical'],
    ]);
  });

  it('bounds its lists and counts what it left out', () => {
    const findings = Array.from({ length: 27 }, (_, i) => cve(`CVE-2024-${1000 + i}`, 'HIGH', 7));
    const many = Array.from({ length: 45 }, (_, i) =>
      pod(`ns-${String(i).padStart(2, '0')}`, { name: `p${i}`, image: 'x', imageID: `x@${OLD}` }),
    );
    const running = runningContainersOf({ name: 'prod-eu' }, many);
    const detection = imageAlertDetection(alertOf(findings, running), {
      unreadableClusters: Array.from({ length: 14 }, (_, i) => ({
        cluster: `c${i}`,
        reason: 'r'.repeat(1000),
      })),
    });
    const v = detection.imageVulnerability;
    expect([v?.vulnerabilities.length, v?.omittedVulnerabilities]).toEqual([
      IMAGE_ALERT_LIMITS.vulnerabilities,
      7,
    ]);
    expect([v?.workloads.length, v?.omittedWorkloads, v?.pods]).toEqual([
      IMAGE_ALERT_LIMITS.workloads,
      15,
      45,
    ]);
    expect(v?.unreadableClusters).toHaveLength(IMAGE_ALERT_LIMITS.unreadableClusters);
    expect(v?.unreadableClusters[0]?.reason).toHaveLength(IMAGE_ALERT_LIMITS.reason);
    expect(detection.summary).toContain('has 27 high vulnerabilities');
    expect(JSON.stringify(detection).length).toBeLessThan(30_000);
  });
});

describe('the thread line of an image alert update', () => {
  it('names the vulnerabilities and where the image runs, not only the time', () => {
    const detection = imageAlertDetection(alertOf([cve('CVE-1', 'HIGH', 7), cve('CVE-2', 'HIGH', 8)]), {
      unreadableClusters: [],
    });
    expect(evidenceLine(detection)).toBe(
      `${detection.lastSeen} · CVE-2, CVE-1 · 2 workloads, 2 pods in prod-eu, staging`,
    );
  });
});
