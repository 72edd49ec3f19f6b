import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDenialCounter } from '../../adapters/aws/denial-counter.ts';
import { ScanCommand } from '../../adapters/aws/dynamo-document.ts';
import { DynamoFindingStore } from '../../adapters/aws/findings-store.ts';
import { findingsTableDefinition } from '../../adapters/aws/findings-table.ts';
import { parseConfig } from '../../core/config/schema.ts';
import { findingRecorderFor } from '../../core/findings/compose.ts';
import type { StoredFinding } from '../../core/findings/stored-finding.ts';
import { type AuditLogsHandler, createAuditLogsHandler } from '../../lambdas/audit-logs/handler.ts';
import type { FunctionLogger } from '../../lambdas/shared/logger.ts';
import { type Dynalite, startDynalite } from '../support/dynalite.ts';
import { fixtureWith, loadFixture } from '../support/fixtures.ts';
import { type SlackApiDouble, startSlackApiDouble } from '../support/slack-api-double.ts';

/**
 * kube-apiserver copies a client's `Audit-ID` header into `auditID`. These scenarios run the real
 * audit-logs handler on the real DynamoDB store (dynalite) and read the findings back from the store:
 * a request that reuses another's Audit-ID is still recorded, and still counted.
 */

const TOKEN = 'xoxb-identity-token';
const CONFIG = parseConfig({
  clusters: [{ name: 'prod-cluster', region: 'us-east-1' }],
  slack: { defaultChannel: 'C0ALERTS' },
});
const CLIENT_CHOSEN_AUDIT_ID = 'decoy-0000-4000-8000-000000000001';
const silent: FunctionLogger = { info: () => {}, warn: () => {}, error: () => {} };

type Envelope = Record<string, unknown> & { logEvents: { id: string; timestamp: number; message: string }[] };

/** One CloudWatch Logs delivery (the real envelope) carrying these audit events. */
function batch(events: readonly Record<string, unknown>[], firstId = 0) {
  const envelope = loadFixture<Envelope>('cwlogs-eks-audit-envelope.json', 'decoded');
  const decoded = {
    ...envelope,
    logEvents: events.map((event, i) => ({
      id: `log-${firstId + i}`,
      timestamp: 1715787000000 + firstId + i,
      message: JSON.stringify(event),
    })),
  };
  return { awslogs: { data: gzipSync(Buffer.from(JSON.stringify(decoded))).toString('base64') } };
}

/** The real `list secrets` event turned into a `get` of one secret, sent with a chosen Audit-ID. */
function secretRead(namespace: string, name: string, receivedAt: string): Record<string, unknown> {
  return fixtureWith('eks-audit-secrets-list.json', {
    auditID: CLIENT_CHOSEN_AUDIT_ID,
    verb: 'get',
    requestURI: `/api/v1/namespaces/${namespace}/secrets/${name}`,
    objectRef: { resource: 'secrets', namespace, name, apiVersion: 'v1' },
    requestReceivedTimestamp: receivedAt,
    stageTimestamp: receivedAt,
  });
}

describe('a client-chosen Audit-ID cannot hide or merge requests (audit-logs handler, DynamoDB store)', () => {
  let db: Dynalite;
  let slack: SlackApiDouble;
  let handle: AuditLogsHandler;
  let store: DynamoFindingStore;
  let tableName: string;
  let tables = 0;

  beforeAll(async () => {
    db = await startDynalite();
    slack = await startSlackApiDouble({ token: TOKEN, channels: ['C0ALERTS'] });
  });
  afterAll(async () => {
    await slack.stop();
    await db.stop();
  });
  beforeEach(async () => {
    tables += 1;
    tableName = `identity-${tables}`;
    await db.createTable(findingsTableDefinition(tableName));
    store = new DynamoFindingStore({ client: db.documentClient, tableName, nowSeconds: () => 1_800_000_000 });
    handle = createAuditLogsHandler({
      config: CONFIG,
      sink: findingRecorderFor({ config: CONFIG, store, clock: () => '2024-11-14T00:00:00.000Z' }),
      counter: new DynamoDenialCounter({ client: db.documentClient, tableName }),
      logger: silent,
      clock: () => '2024-11-14T00:00:00.000Z',
    });
  });

  /** Every finding in the table, each read back through the store. */
  async function storedFindings(): Promise<StoredFinding[]> {
    const scan = await db.documentClient.send(new ScanCommand({ TableName: tableName }));
    const fingerprints = (scan.Items ?? [])
      .filter((item) => item.sk === 'FINDING')
      .map((item) => String(item.pk).replace(/^FINDING#/, ''));
    const findings = await Promise.all(fingerprints.map((fingerprint) => store.get(fingerprint)));
    return findings.filter((finding): finding is StoredFinding => finding !== undefined);
  }

  const occurrences = (findings: readonly StoredFinding[]) =>
    findings.reduce((sum, f) => sum + f.occurrences, 0);

  it('records a prod secret read that reuses the Audit-ID of a harmless dev read', async () => {
    await handle(
      batch([
        secretRead('dev', 'app-config', '2024-11-13T23:59:00.000001Z'),
        secretRead('prod', 'payments-db-password', '2024-11-13T23:59:03.000001Z'),
      ]),
    );
    const findings = await storedFindings();
    expect(occurrences(findings)).toBe(2);
    const secrets = findings.flatMap((f) => f.detection.secretNames ?? []).sort();
    expect(secrets).toEqual(['app-config', 'payments-db-password']);
    const prod = findings.find((f) => f.detection.namespace === 'prod');
    expect(prod?.detection).toMatchObject({
      ruleId: 'KD-031',
      evidence: expect.objectContaining({ auditId: CLIENT_CHOSEN_AUDIT_ID }),
    });
  });

  it('records the prod read when it arrives in a later batch than the dev read', async () => {
    await handle(batch([secretRead('dev', 'app-config', '2024-11-13T23:59:00.000001Z')], 0));
    await handle(batch([secretRead('prod', 'payments-db-password', '2024-11-13T23:59:03.000001Z')], 1));
    const findings = await storedFindings();
    expect(findings.map((f) => f.detection.namespace).sort()).toEqual(['dev', 'prod']);
  });

  it('counts five reads sent with one Audit-ID in five batches as five', async () => {
    for (let i = 0; i < 5; i += 1) {
      await handle(batch([secretRead('dev', 'app-config', `2024-11-13T23:59:0${i}.000001Z`)], i));
    }
    const findings = await storedFindings();
    expect(findings).toHaveLength(1);
    expect(findings[0]?.occurrences).toBe(5);
  });

  it('counts the two stages of one exec once, even in separate batches', async () => {
    const exec = loadFixture<Record<string, unknown>>('eks-audit-exec-pod-create.json');
    await handle(batch([exec], 0));
    const afterStarted = await storedFindings();
    expect(afterStarted.length).toBeGreaterThan(0);
    await handle(
      batch([{ ...exec, stage: 'ResponseComplete', stageTimestamp: '2024-05-15T15:03:11.448431Z' }], 1),
    );
    const afterComplete = await storedFindings();
    const counts = (findings: readonly StoredFinding[]) =>
      findings.map((f) => `${f.fingerprint}:${f.occurrences}`).sort();
    expect(counts(afterComplete)).toEqual(counts(afterStarted));
  });
});
