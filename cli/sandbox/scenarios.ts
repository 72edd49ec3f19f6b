import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The scenario player's built-in scenarios: real-format events (copied from test/fixtures, the
 * cluster re-pointed at `sandbox-cluster` and the targets at the demo cluster's pods, so Isolate pod
 * works on them), replayed through the real ingest handlers. Each play is a new event — fresh ids and
 * timestamps — as if it had just happened; the same event sent twice would be counted once.
 */
export interface Scenario {
  id: string;
  title: string;
  /** What arrives and what to try. */
  description: string;
  /** The JSON file under cli/sandbox/scenarios/. */
  file: string;
}

export const SCENARIOS: readonly Scenario[] = [
  {
    id: 'exec-into-pod',
    title: 'Shell into a web pod',
    description:
      'An EKS audit log event: kubectl exec into shop/web-hwhrnkc6j4-ttlm2 (KD-020). Try Isolate pod.',
    file: 'exec-into-pod.json',
  },
  {
    id: 'cryptominer-in-pod',
    title: 'Cryptominer in a cart pod',
    description:
      'A GuardDuty Runtime Monitoring finding: a new binary (/tmp/xmrig) executed in shop/cart-x7pql48kf5-bfkfk.',
    file: 'cryptominer-in-pod.json',
  },
  {
    id: 'anonymous-access',
    title: 'Anonymous access granted',
    description: 'A GuardDuty finding: system:anonymous was bound to a role in sandbox-cluster.',
    file: 'anonymous-access.json',
  },
];

const DIRECTORY = join(dirname(fileURLToPath(import.meta.url)), 'scenarios');

export function findScenario(id: string): Scenario | undefined {
  return SCENARIOS.find((scenario) => scenario.id === id);
}

/** The scenario's event as JSON text, made new: fresh ids and the current time. */
export function scenarioEvent(scenario: Scenario, now: Date = new Date()): string {
  const event = JSON.parse(readFileSync(join(DIRECTORY, scenario.file), 'utf8')) as Record<string, unknown>;
  return JSON.stringify(
    event.source === 'aws.guardduty' ? freshFinding(event, now) : freshAuditEvent(event, now),
  );
}

function freshAuditEvent(event: Record<string, unknown>, now: Date): Record<string, unknown> {
  const at = now.toISOString().replace('Z', '000Z');
  return { ...event, auditID: randomUUID(), requestReceivedTimestamp: at, stageTimestamp: at };
}

/** A new GuardDuty finding: event id, finding id (and its ARN), and times. */
function freshFinding(event: Record<string, unknown>, now: Date): Record<string, unknown> {
  const detail = event.detail as Record<string, unknown>;
  const service = detail.service as Record<string, unknown>;
  const id = randomBytes(16).toString('hex');
  const at = now.toISOString();
  return {
    ...event,
    id: randomUUID(),
    time: `${at.slice(0, 19)}Z`,
    detail: {
      ...detail,
      id,
      arn: String(detail.arn).replace(/finding\/[0-9a-f]+$/, `finding/${id}`),
      createdAt: at,
      updatedAt: at,
      service: { ...service, eventFirstSeen: at, eventLastSeen: at },
    },
  };
}
