import { describe, expect, it } from 'vitest';
import { DynamoAuditTrailStore } from '#adapters/aws/audit-trail-store.ts';
import type { DynamoDBDocumentClient } from '#adapters/aws/dynamo-document.ts';
import { FINDINGS_TABLE } from '#adapters/aws/findings-table.ts';
import { DynamoClaimStore } from '#adapters/aws/replay-claims.ts';
import type { AuditRecord } from '#core/audit-trail/record.ts';
import { INGRESS_PARTITIONS, INGRESS_TABLE_ACTIONS } from '#infra/constructs/slack-bot.ts';

/**
 * The ingress role may use only the items under INGRESS_PARTITIONS (an IAM `dynamodb:LeadingKeys`
 * condition): every item the ingress's stores write or read must fall there, or the deployed bot
 * would be refused with AccessDenied while every local test passes.
 */

interface Call {
  operation: string;
  partition: string;
}

/** A document client that answers every call and records which operation touched which partition. */
function recordingClient(options: { conditionFails?: boolean } = {}): {
  client: DynamoDBDocumentClient;
  calls: Call[];
} {
  const calls: Call[] = [];
  const client = {
    send: async (command: {
      operation: string;
      input: { Item?: Record<string, unknown>; Key?: Record<string, unknown> };
    }) => {
      const key = command.input.Item ?? command.input.Key ?? {};
      calls.push({ operation: command.operation, partition: String(key[FINDINGS_TABLE.partitionKey]) });
      if (options.conditionFails && command.operation === 'PutItem' && calls.length === 1) {
        throw Object.assign(new Error('The conditional request failed'), {
          name: 'ConditionalCheckFailedException',
        });
      }
      return {};
    },
  } as unknown as DynamoDBDocumentClient;
  return { client, calls };
}

/** IAM StringLike on `<prefix>*`. */
const allowed = (partition: string) => INGRESS_PARTITIONS.some((prefix) => partition.startsWith(prefix));

const RECORD: AuditRecord = {
  id: 'r-0123456789abcdef:request',
  requestId: 'r-0123456789abcdef',
  type: 'request',
  at: '2026-12-03T10:15:00.000Z',
  actor: 'U0123ABC',
  kind: 'ack',
  source: 'button',
  cluster: 'prod-cluster',
  finding: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
  result: 'accepted',
};

describe('the Slack ingress’s table access', () => {
  it('claims and releases keys only under CLAIM#, with actions its role holds', async () => {
    const { client, calls } = recordingClient();
    const claims = new DynamoClaimStore({ client, tableName: 'kubeguard' });

    await claims.claim('command:T1:13345224609.738474920.8088930838d88f008e0', 1_764_756_900_000, 600);
    await claims.release('command:T1:13345224609.738474920.8088930838d88f008e0');

    expect(calls.map((c) => c.operation)).toEqual(['PutItem', 'DeleteItem']);
    for (const call of calls) {
      expect(allowed(call.partition), call.partition).toBe(true);
      expect(INGRESS_TABLE_ACTIONS).toContain(`dynamodb:${call.operation}`);
    }
  });

  it('records the audit trail (record, day and finding items) only in its partitions', async () => {
    const { client, calls } = recordingClient();

    await new DynamoAuditTrailStore({ client, tableName: 'kubeguard' }).append(RECORD);

    expect(calls.map((c) => c.partition)).toEqual([
      'AUDITREC#r-0123456789abcdef:request',
      'AUDIT#2026-12-03',
      'AUDITF#a1b2c3d4e5f60718293a4b5c6d7e8f90',
    ]);
    for (const call of calls) {
      expect(allowed(call.partition), call.partition).toBe(true);
      expect(INGRESS_TABLE_ACTIONS).toContain(`dynamodb:${call.operation}`);
    }
  });

  it('reads back a record already stored (a retried request) within the same grant', async () => {
    const { client, calls } = recordingClient({ conditionFails: true });

    await new DynamoAuditTrailStore({ client, tableName: 'kubeguard' }).append(RECORD);

    expect(calls[1]).toEqual({ operation: 'GetItem', partition: 'AUDITREC#r-0123456789abcdef:request' });
    for (const call of calls) expect(INGRESS_TABLE_ACTIONS).toContain(`dynamodb:${call.operation}`);
  });

  it('keeps the ingress away from findings and rotation claims', () => {
    expect(allowed('FINDING#a1b2c3d4e5f60718293a4b5c6d7e8f90')).toBe(false);
    expect(allowed('ROTATION#arn:aws:secretsmanager:us-east-1:111122223333:secret:db')).toBe(false);
  });
});
