import { describe, expect, it } from 'vitest';
import { InvalidEventError } from '#core/errors.ts';
import type { ImageFinding } from '#core/supply-chain/image-finding.ts';
import {
  decodeInspectorEvent,
  imageFindingFromApi,
  inspectorDate,
  MAX_FINDING_PACKAGES,
} from '#core/supply-chain/inspector-event.ts';
import { readFixtureFile } from '../../../support/fixtures.ts';

/** test/fixtures/inspector: two Inspector2 Finding events copied from the AWS documentation. */
const PACKAGE = 'inspector/inspector2-finding-ecr-package-vulnerability.json';
const ENHANCED = 'inspector/inspector2-finding-ecr-enhanced-scanning.json';
/** A real-shaped digest for the ECR fixture, whose imageHash is AWS's `…EXAMPLE` placeholder. */
const DIGEST_36C7 = `sha256:${'36c7b282abd0186e01419f2e58743e1bf635808231049bbc9d77e5'.padEnd(64, '0')}`;

// biome-ignore lint/suspicious/noExplicitAny: variants edit the fixture events field by field
type Json = Record<string, any>;
const event = (name: string): Json => readFixtureFile(name) as Json;
const resource = (e: Json): Json => e.detail.resources[0];

function enhanced(): Json {
  const e = event(ENHANCED);
  resource(e).details.awsEcrContainerImage.imageHash = DIGEST_36C7;
  return e;
}

function decoded(e: unknown): ImageFinding {
  const result = decodeInspectorEvent(e);
  if (result.kind !== 'finding') throw new Error(`ignored: ${result.reason}`);
  return result.finding;
}

function invalidField(run: () => unknown): { field: unknown; message: string } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidEventError);
    const invalid = error as InvalidEventError;
    return { field: invalid.details.field, message: invalid.message };
  }
  throw new Error('expected an InvalidEventError');
}

describe('decodeInspectorEvent on the AWS documentation events', () => {
  it('decodes the Inspector package-vulnerability event exactly', () => {
    expect(decoded(event(PACKAGE))).toEqual({
      findingArn: 'arn:aws:inspector2:eu-central-1:123456789012:finding/{{FINDING_ID}}',
      account: '123456789012',
      region: 'eu-central-1',
      type: 'PACKAGE_VULNERABILITY',
      vulnerabilityId: 'CVE-2024-6119',
      title: 'CVE-2024-6119 - libssl3t64, openssl',
      severity: 'medium',
      inspectorSeverity: 'MEDIUM',
      status: 'ACTIVE',
      image: {
        registry: '123456789012',
        repositoryName: 'inspector2',
        digest: 'sha256:84f507df33c6864d49c296fb734192696e4cb6f78166ac51ac8b9b118181085d',
        tags: ['ubuntu_latest'],
        pushedAt: '2024-09-04T16:55:28.000Z',
      },
      packages: [
        {
          name: 'libssl3t64',
          version: '3.0.13-0ubuntu3.2',
          fixedInVersion: '0:3.0.13-0ubuntu3.4',
          packageManager: 'OS',
        },
        {
          name: 'openssl',
          version: '3.0.13-0ubuntu3.2',
          fixedInVersion: '0:3.0.13-0ubuntu3.4',
          packageManager: 'OS',
        },
      ],
      fixAvailable: 'YES',
      exploitAvailable: 'NO',
      firstObservedAt: '2024-09-04T16:55:38.411Z',
      lastObservedAt: '2024-09-04T16:55:38.411Z',
      updatedAt: '2024-09-04T16:55:38.411Z',
    } satisfies ImageFinding);
  });

  it('refuses the ECR enhanced-scanning event as published: its imageHash is a placeholder, not a digest', () => {
    const { field, message } = invalidField(() => decodeInspectorEvent(event(ENHANCED)));
    expect(field).toBe('detail.resources[0].details.awsEcrContainerImage.imageHash');
    expect(message).toContain(
      'received the string "sha256:36c7b282abd0186e01419f2e58743e1bf635808231049bbc9d77e…" (68 characters)',
    );
    expect(message).toContain('64 lowercase hex digits');
  });

  it('decodes the ECR enhanced-scanning event (digest made real) exactly, US-style dates as UTC', () => {
    expect(decoded(enhanced())).toEqual({
      findingArn: 'arn:aws:inspector2:us-east-2:123456789012:finding/be674aaddd0f75ac632055EXAMPLE',
      account: '123456789012',
      region: 'us-east-2',
      type: 'PACKAGE_VULNERABILITY',
      vulnerabilityId: 'CVE-2019-17498',
      title: 'CVE-2019-17498 - libssh2',
      severity: 'medium',
      inspectorSeverity: 'MEDIUM',
      status: 'ACTIVE',
      inspectorScore: 6.5,
      image: {
        registry: '123456789012',
        repositoryName: 'amazon/amazon-ecs-sample',
        digest: DIGEST_36C7,
        tags: ['latest'],
        pushedAt: '2021-12-03T18:02:13.000Z',
      },
      // No fixedInVersion: Inspector knows no fix for this package.
      packages: [{ name: 'libssh2', version: '1.4.3-12.amzn2.2', packageManager: 'OS' }],
      firstObservedAt: '2021-12-03T18:02:30.000Z',
      lastObservedAt: '2021-12-03T18:02:30.000Z',
      updatedAt: '2021-12-03T18:02:30.000Z',
    } satisfies ImageFinding);
  });

  it('maps every Inspector severity and keeps Inspector’s word', () => {
    const cases = [
      ['CRITICAL', 'critical'],
      ['HIGH', 'high'],
      ['MEDIUM', 'medium'],
      ['LOW', 'low'],
      ['INFORMATIONAL', 'low'],
      ['UNTRIAGED', 'low'],
    ];
    for (const [inspector, kubeguard] of cases) {
      const e = event(PACKAGE);
      e.detail.severity = inspector;
      const finding = decoded(e);
      expect([finding.severity, finding.inspectorSeverity]).toEqual([kubeguard, inspector]);
    }
  });

  it('keeps Inspector’s in-use facts, epoch and ISO dates, fixedInVersion NotAvailable as no fix', () => {
    const e = event(PACKAGE);
    Object.assign(resource(e).details.awsEcrContainerImage, {
      inUseCount: 3,
      lastInUseAt: '2024-09-05T08:00:00Z',
    });
    e.detail.packageVulnerabilityDetails.vulnerablePackages[1].fixedInVersion = 'NotAvailable';
    e.detail.updatedAt = 1725555600;
    const finding = decoded(e);
    expect(finding.image.inUseCount).toBe(3);
    expect(finding.image.lastInUseAt).toBe('2024-09-05T08:00:00.000Z');
    expect(finding.updatedAt).toBe('2024-09-05T17:00:00.000Z');
    expect(finding.packages[1]).toEqual({
      name: 'openssl',
      version: '3.0.13-0ubuntu3.2',
      packageManager: 'OS',
    });
  });

  it('bounds the package list and counts what it cut', () => {
    const e = event(PACKAGE);
    const one = e.detail.packageVulnerabilityDetails.vulnerablePackages[0];
    e.detail.packageVulnerabilityDetails.vulnerablePackages = Array.from({ length: 70 }, (_, i) => ({
      ...one,
      name: `pkg-${i}`,
    }));
    e.detail.title = 'x'.repeat(10_000);
    const finding = decoded(e);
    expect(finding.packages).toHaveLength(MAX_FINDING_PACKAGES);
    expect(finding.omittedPackages).toBe(20);
    expect(finding.title).toHaveLength(300);
  });

  it('decodes a CODE_VULNERABILITY on an image, naming its file', () => {
    const e = event(PACKAGE);
    e.detail.type = 'CODE_VULNERABILITY';
    delete e.detail.packageVulnerabilityDetails;
    e.detail.title = 'CWE-117 - Log injection';
    e.detail.codeVulnerabilityDetails = {
      cwes: ['CWE-117'],
      detectorId: 'python/log-injection@v1.0',
      detectorName: 'Log injection',
      filePath: { fileName: 'app.py', filePath: 'srv/app/app.py', startLine: 10, endLine: 12 },
    };
    const finding = decoded(e);
    expect([finding.type, finding.vulnerabilityId, finding.packages]).toEqual([
      'CODE_VULNERABILITY',
      'CWE-117 - Log injection',
      [{ name: 'app.py', filePath: 'srv/app/app.py' }],
    ]);
  });
});

describe('decodeInspectorEvent ignores what is not an image vulnerability', () => {
  it('ignores an EC2 instance finding', () => {
    const e = event(PACKAGE);
    const r = resource(e);
    r.type = 'AWS_EC2_INSTANCE';
    r.details = { awsEc2Instance: r.details.awsEcrContainerImage };
    expect(decodeInspectorEvent(e)).toEqual({
      kind: 'ignored',
      reason:
        'Inspector finding arn:aws:inspector2:eu-central-1:123456789012:finding/{{FINDING_ID}} is about a resource of type "AWS_EC2_INSTANCE", not an ECR container image (AWS_ECR_CONTAINER_IMAGE); kubeguard matches image findings to pods only',
    });
  });

  it('ignores a Lambda function finding', () => {
    const e = event(PACKAGE);
    const r = resource(e);
    r.type = 'AWS_LAMBDA_FUNCTION';
    r.details = { awsLambdaFunction: r.details.awsEcrContainerImage };
    const result = decodeInspectorEvent(e);
    expect(result.kind).toBe('ignored');
    expect(result.kind === 'ignored' && result.reason).toContain('"AWS_LAMBDA_FUNCTION"');
  });

  it('ignores a network-reachability finding and other Inspector event types', () => {
    const e = event(PACKAGE);
    e.detail.type = 'NETWORK_REACHABILITY';
    expect(decodeInspectorEvent(e).kind).toBe('ignored');
    const coverage = { ...event(PACKAGE), 'detail-type': 'Inspector2 Coverage' };
    expect(decodeInspectorEvent(coverage)).toEqual({
      kind: 'ignored',
      reason:
        'Inspector event of type "Inspector2 Coverage" is not a finding ("Inspector2 Finding"); kubeguard reads findings only',
    });
  });
});

describe('decodeInspectorEvent refuses malformed events, naming the field', () => {
  const cases: [string, (e: Json) => void, string][] = [
    ['source', (e) => (e.source = 'aws.guardduty'), 'event.source'],
    ['detail', (e) => (e.detail = 'nope'), 'detail'],
    ['findingArn', (e) => delete e.detail.findingArn, 'detail.findingArn'],
    ['resources', (e) => (e.detail.resources = []), 'detail.resources'],
    ['resource type', (e) => (resource(e).type = 7), 'detail.resources[0].type'],
    [
      'image details',
      (e) => delete resource(e).details.awsEcrContainerImage,
      'detail.resources[0].details.awsEcrContainerImage',
    ],
    [
      'digest',
      (e) => (resource(e).details.awsEcrContainerImage.imageHash = 'sha256:ABC'),
      'detail.resources[0].details.awsEcrContainerImage.imageHash',
    ],
    [
      'repository',
      (e) => delete resource(e).details.awsEcrContainerImage.repositoryName,
      'detail.resources[0].details.awsEcrContainerImage.repositoryName',
    ],
    ['account', (e) => (e.detail.awsAccountId = '12345'), 'detail.awsAccountId'],
    ['severity', (e) => (e.detail.severity = 'SEVERE'), 'detail.severity'],
    ['status', (e) => (e.detail.status = 'OPEN'), 'detail.status'],
    ['firstObservedAt', (e) => (e.detail.firstObservedAt = 'yesterday'), 'detail.firstObservedAt'],
    [
      'lastObservedAt',
      (e) => (e.detail.lastObservedAt = 'Feb 30, 2024, 1:00:00 PM'),
      'detail.lastObservedAt',
    ],
    [
      'pushedAt',
      (e) => (resource(e).details.awsEcrContainerImage.pushedAt = 'Wed Sep 04 25:55:38.411 UTC 2024'),
      'detail.resources[0].details.awsEcrContainerImage.pushedAt',
    ],
  ];
  for (const [what, mutate, field] of cases) {
    it(`a bad ${what} → ${field}`, () => {
      const e = event(PACKAGE);
      mutate(e);
      const error = invalidField(() => decodeInspectorEvent(e));
      expect(error.field).toBe(field);
      expect(error.message).toContain(`"${field}"`);
      expect(error.message).toContain('received');
      expect(error.message).toContain('deliver EventBridge "Inspector2 Finding" events');
    });
  }

  it('says which value it received, bounded', () => {
    const e = event(PACKAGE);
    e.detail.firstObservedAt = `yesterday${'!'.repeat(100_000)}`;
    const error = invalidField(() => decodeInspectorEvent(e));
    expect(error.message).toContain('received the string "yesterday!!!');
    expect(error.message.length).toBeLessThan(600);
  });

  it('refuses a non-object event', () => {
    expect(invalidField(() => decodeInspectorEvent(null)).field).toBe('event');
  });
});

describe('inspectorDate', () => {
  it('normalizes every Inspector date format to ISO-8601 UTC', () => {
    expect(inspectorDate('Wed Sep 04 16:55:38.411 UTC 2024')).toBe('2024-09-04T16:55:38.411Z');
    expect(inspectorDate('Tue Sep 03 00:00:00.000 UTC 2024')).toBe('2024-09-03T00:00:00.000Z');
    expect(inspectorDate('Wed Sep 04 16:55:38 UTC 2024')).toBe('2024-09-04T16:55:38.000Z');
    expect(inspectorDate('Dec 3, 2021, 6:02:30 PM')).toBe('2021-12-03T18:02:30.000Z');
    expect(inspectorDate('Oct 16, 2019, 12:00:00 AM')).toBe('2019-10-16T00:00:00.000Z');
    expect(inspectorDate('Oct 16, 2019, 12:30:00 PM')).toBe('2019-10-16T12:30:00.000Z');
    expect(inspectorDate('2024-09-04T16:55:38Z')).toBe('2024-09-04T16:55:38.000Z');
    expect(inspectorDate('2024-09-04T18:55:38.5+02:00')).toBe('2024-09-04T16:55:38.500Z');
    expect(inspectorDate(1725468938.411)).toBe('2024-09-04T16:55:38.411Z');
    expect(inspectorDate(new Date('2024-09-04T16:55:38.411Z'))).toBe('2024-09-04T16:55:38.411Z');
  });

  it('refuses what is not a real date', () => {
    for (const bad of [
      'Feb 30, 2024, 1:00:00 PM',
      'Dec 3, 2021, 13:02:30 PM',
      'Wed Foo 04 16:55:38.411 UTC 2024',
      '2024-13-01T00:00:00Z',
      '04/09/2024',
      '',
      1725468938411, // milliseconds, not seconds
      Number.NaN,
      new Date(Number.NaN),
      null,
    ]) {
      expect(inspectorDate(bad)).toBeUndefined();
    }
  });
});

describe('imageFindingFromApi', () => {
  /** The package event's finding as the SDK returns it from ListFindings: Date objects, no envelope. */
  function sdkFinding(): Json {
    const detail = event(PACKAGE).detail;
    const image = resource({ detail }).details.awsEcrContainerImage;
    return {
      ...detail,
      firstObservedAt: new Date('2024-09-04T16:55:38.411Z'),
      lastObservedAt: new Date('2024-09-04T16:55:38.411Z'),
      updatedAt: new Date('2024-09-04T16:55:38.411Z'),
      resources: [
        {
          ...resource({ detail }),
          details: {
            awsEcrContainerImage: {
              ...image,
              pushedAt: new Date('2024-09-04T16:55:28.000Z'),
              inUseCount: 2,
              lastInUseAt: new Date('2024-09-05T08:00:00.000Z'),
            },
          },
        },
      ],
    };
  }

  it('maps a ListFindings finding like the event, its region from the resource', () => {
    expect(imageFindingFromApi(sdkFinding())).toEqual({
      ...decoded(event(PACKAGE)),
      image: { ...decoded(event(PACKAGE)).image, inUseCount: 2, lastInUseAt: '2024-09-05T08:00:00.000Z' },
    });
  });

  it('takes the region from the finding ARN when the resource has none', () => {
    const finding = sdkFinding();
    finding.resources[0].region = 'N/A';
    expect(imageFindingFromApi(finding).region).toBe('eu-central-1');
  });

  it('refuses a finding about another resource type, and malformed fields with the API’s fix', () => {
    const ec2 = sdkFinding();
    ec2.resources[0].type = 'AWS_EC2_INSTANCE';
    const error = invalidField(() => imageFindingFromApi(ec2));
    expect(error.field).toBe('finding.resources[0].type');
    expect(error.message).toContain('filter ListFindings on resourceType AWS_ECR_CONTAINER_IMAGE');
    const bad = sdkFinding();
    bad.firstObservedAt = new Date(Number.NaN);
    const dateError = invalidField(() => imageFindingFromApi(bad));
    expect(dateError.field).toBe('finding.firstObservedAt');
    expect(dateError.message).toContain('received an invalid Date');
    expect(dateError.message).toContain('@aws-sdk/client-inspector2');
  });
});
