import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAccountCredentials } from '#adapters/aws/account-credentials.ts';
import {
  createInspectorFindingSource,
  type InspectorFindingsOptions,
  LIST_FINDINGS_PAGE_SIZE,
} from '#adapters/aws/inspector-findings.ts';
import { collectClusterSnapshot } from '#adapters/kubernetes/snapshot-collector.ts';
import { parseConfig } from '#core/config/schema.ts';
import {
  type AwsEnvironment,
  functionCredentials,
  setAwsEnvironment,
} from '#test/support/aws-environment.ts';
import { type FakeSts, signingKeyOf, startFakeSts } from '#test/support/fake-sts.ts';
import {
  type InspectorDouble,
  inspectorEvent,
  startInspectorDouble,
  wireFindingFrom,
} from '#test/support/inspector-double.ts';
import { KubeApiDouble } from '#test/support/kube-api-double.ts';

const HOME = '111122223333';
const MEMBER = '222233334444';
const CONFIG = parseConfig({
  home: { region: 'eu-central-1', account: HOME },
  accounts: [{ id: MEMBER, name: 'prod', externalId: 'kubeguard-prod-7f3a' }],
  clusters: [
    { name: 'home-cluster', region: 'eu-central-1' },
    { name: 'prod-cluster', region: 'eu-central-1', account: MEMBER },
  ],
  slack: { defaultChannel: 'C0ALERTS' },
});

const DETAIL = inspectorEvent('inspector2-finding-ecr-package-vulnerability').detail;
const DIGEST = 'sha256:84f507df33c6864d49c296fb734192696e4cb6f78166ac51ac8b9b118181085d';
const OTHER_DIGEST = `sha256:${'ab'.repeat(32)}`;

/** A wire finding of the fixture, with its own ARN and the given changes. */
function finding(n: number, changes: Parameters<typeof wireFindingFrom>[1] = {}) {
  return wireFindingFrom(DETAIL, {
    findingArn: `arn:aws:inspector2:eu-central-1:${HOME}:finding/f${String(n).padStart(4, '0')}`,
    awsAccountId: HOME,
    ...changes,
  });
}

let sts: FakeSts;
let inspector: InspectorDouble;
let environment: AwsEnvironment;

beforeEach(async () => {
  sts = await startFakeSts({ lifetimeMs: () => 60 * 60_000 });
  inspector = await startInspectorDouble();
  environment = setAwsEnvironment({
    ...functionCredentials('AKIDHOME', 'home-secret'),
    AWS_ENDPOINT_URL_INSPECTOR2: inspector.endpoint,
  });
});
afterEach(async () => {
  environment.restore();
  await sts.close();
  await inspector.close();
});

function source(options: Partial<InspectorFindingsOptions> = {}) {
  return createInspectorFindingSource({
    config: CONFIG,
    accounts: createAccountCredentials({
      config: CONFIG,
      functionName: 'image-findings',
      sts: {
        endpoint: sts.endpoint,
        region: 'eu-central-1',
        credentials: { accessKeyId: 'AKIDHOME', secretAccessKey: 'home-secret' },
      },
    }),
    homeRole: 'Kubeguard-posture-audit',
    ...options,
  });
}

describe('the Inspector finding source over ListFindings', () => {
  it('asks for one image’s active ECR findings and decodes the wire shape (epoch-second dates)', async () => {
    inspector.findings.push(
      finding(1),
      finding(2, { image: { imageHash: OTHER_DIGEST } }),
      finding(3, { status: 'CLOSED' }),
    );

    const found = await source().findingsForImage({ account: HOME, region: 'eu-central-1', digest: DIGEST });

    expect(inspector.calls.map((call) => call.body)).toEqual([
      {
        filterCriteria: {
          resourceType: [{ comparison: 'EQUALS', value: 'AWS_ECR_CONTAINER_IMAGE' }],
          findingStatus: [{ comparison: 'EQUALS', value: 'ACTIVE' }],
          awsAccountId: [{ comparison: 'EQUALS', value: HOME }],
          ecrImageHash: [{ comparison: 'EQUALS', value: DIGEST }],
        },
        maxResults: LIST_FINDINGS_PAGE_SIZE,
      },
    ]);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      findingArn: `arn:aws:inspector2:eu-central-1:${HOME}:finding/f0001`,
      account: HOME,
      region: 'eu-central-1',
      vulnerabilityId: 'CVE-2024-6119',
      severity: 'medium',
      status: 'ACTIVE',
      image: { digest: DIGEST, repositoryName: 'inspector2', tags: ['ubuntu_latest'] },
      firstObservedAt: '2024-09-04T16:55:38.411Z',
      updatedAt: '2024-09-04T16:55:38.411Z',
    });
    expect(found[0]?.packages.map((p) => [p.name, p.fixedInVersion])).toEqual([
      ['libssl3t64', '0:3.0.13-0ubuntu3.4'],
      ['openssl', '0:3.0.13-0ubuntu3.4'],
    ]);
    // The home account's findings are read as the function's own role.
    expect(signingKeyOf(inspector.calls[0]?.headers.authorization)).toBe('AKIDHOME');
    expect(sts.calls).toEqual([]);
  });

  it('reads a member account’s findings as the member role it assumed', async () => {
    inspector.findings.push(finding(1, { awsAccountId: MEMBER }));

    const found = await source().findingsForImage({
      account: MEMBER,
      region: 'eu-central-1',
      digest: DIGEST,
    });

    expect(found.map((f) => f.account)).toEqual([MEMBER]);
    expect(sts.calls.map((call) => call.params.RoleArn)).toEqual([
      `arn:aws:iam::${MEMBER}:role/kubeguard-member`,
    ]);
    expect(signingKeyOf(inspector.calls[0]?.headers.authorization)).toBe('ASIAFAKE0001');
    expect(inspector.calls[0]?.headers.authorization).toContain('/eu-central-1/inspector2/aws4_request');
  });

  it('pages through nextToken, filters on the severities asked, and stops at its page cap', async () => {
    for (let n = 0; n < 250; n++)
      inspector.findings.push(finding(n, { severity: n % 2 === 0 ? 'CRITICAL' : 'LOW' }));
    const truncated: unknown[] = [];

    const critical = await source().activeFindings({ region: 'eu-central-1', severities: ['CRITICAL'] });
    const capped = await source({
      maxPages: { region: 2 },
      onTruncated: (what) => truncated.push(what),
    }).activeFindings({ region: 'eu-central-1' });

    expect(critical).toHaveLength(125);
    expect(new Set(critical.map((f) => f.severity))).toEqual(new Set(['critical']));
    expect(inspector.calls[0]?.body.filterCriteria?.severity).toEqual([
      { comparison: 'EQUALS', value: 'CRITICAL' },
    ]);
    // No account given: the region's findings, no awsAccountId filter.
    expect(inspector.calls[0]?.body.filterCriteria?.awsAccountId).toBeUndefined();
    expect(inspector.calls.slice(0, 2).map((call) => call.body.nextToken)).toEqual([undefined, 'page-100']);
    expect(capped).toHaveLength(200);
    expect(truncated).toEqual([{ account: 'home', region: 'eu-central-1', pages: 2, findings: 200 }]);
  });

  it('fails on AccessDenied naming the account, region and role, and what to grant', async () => {
    inspector.failWith({
      status: 403,
      type: 'AccessDeniedException',
      message: 'User is not authorized to perform: inspector2:ListFindings',
    });

    const failure = source().findingsForImage({ account: MEMBER, region: 'eu-central-1', digest: DIGEST });

    await expect(failure).rejects.toMatchObject({
      code: 'FORBIDDEN',
      details: {
        account: MEMBER,
        region: 'eu-central-1',
        role: `arn:aws:iam::${MEMBER}:role/kubeguard-member`,
      },
    });
    await expect(failure).rejects.toThrow(
      /no permission to inspector2:ListFindings in account prod \(222233334444\), eu-central-1, as arn:aws:iam::222233334444:role\/kubeguard-member .*grant it inspector2:ListFindings/,
    );
  });
});

describe('the posture snapshot’s Inspector findings', () => {
  let api: KubeApiDouble;
  beforeEach(async () => {
    api = await new KubeApiDouble().start();
  });
  afterEach(() => api.stop());

  function collect(options: { denied?: boolean } = {}) {
    if (options.denied === true) {
      inspector.failWith({ status: 403, type: 'AccessDeniedException', message: 'not authorized' });
    }
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions(api.kubeConfigOptions());
    return collectClusterSnapshot({
      kubeConfig,
      name: 'home-cluster',
      clock: () => '2026-12-03T10:00:00.000Z',
      readKubeletConfig: false,
      aws: {
        clusterName: 'home-cluster',
        imageFindings: { source: source(), region: 'eu-central-1' },
      },
    });
  }

  it('fills aws.imageFindings with the region’s active ECR image findings, every severity', async () => {
    inspector.findings.push(finding(1), finding(2, { severity: 'CRITICAL' }));

    const snapshot = await collect();

    expect(snapshot.aws?.imageFindings?.map((f) => f.severity)).toEqual(['medium', 'critical']);
    expect(snapshot.unavailable['inspector:findings']).toBeUndefined();
    expect(inspector.calls[0]?.body.filterCriteria?.severity).toBeUndefined();
  });

  it('marks inspector:findings unavailable with the reason when ListFindings is denied', async () => {
    const snapshot = await collect({ denied: true });

    expect(snapshot.aws?.imageFindings).toBeUndefined();
    expect(snapshot.unavailable['inspector:findings']).toMatch(
      /^no permission to inspector2:ListFindings in the home account, eu-central-1, as Kubeguard-posture-audit/,
    );
  });
});
