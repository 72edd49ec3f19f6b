import { gzipSync } from 'node:zlib';
import { loadFixture } from './fixtures.ts';

/**
 * A storm of real-format audit events: the privileged-pod create fixture (KD-001) repeated with
 * unique audit IDs by `fingerprints` different principals, spread over `seconds`, wrapped into
 * CloudWatch Logs subscription events of `batchSize` log events each — the shape EKS delivers.
 */
export function auditStorm(options: {
  events: number;
  fingerprints: number;
  batchSize: number;
  seconds: number;
}) {
  const template = loadFixture<Record<string, unknown>>('eks-audit-privileged-pod-create.json');
  const start = Date.parse('2026-11-28T10:00:00.000Z');
  const logEvents = Array.from({ length: options.events }, (_, i) => {
    const at = new Date(start + Math.floor((i * options.seconds * 1000) / options.events)).toISOString();
    const event = {
      ...template,
      auditID: `storm-${i.toString().padStart(6, '0')}`,
      user: { username: `attacker-${i % options.fingerprints}`, groups: ['system:authenticated'] },
      requestReceivedTimestamp: at,
      stageTimestamp: at,
    };
    return { id: `${37_000_000 + i}`, timestamp: Date.parse(at), message: JSON.stringify(event) };
  });
  const batches = [];
  for (let offset = 0; offset < logEvents.length; offset += options.batchSize) {
    const envelope = {
      messageType: 'DATA_MESSAGE',
      owner: '111122223333',
      logGroup: '/aws/eks/prod-cluster/cluster',
      logStream: 'kube-apiserver-audit-0123456789abcdef',
      subscriptionFilters: ['kubeguard-prod-cluster'],
      logEvents: logEvents.slice(offset, offset + options.batchSize),
    };
    batches.push({ awslogs: { data: gzipSync(JSON.stringify(envelope)).toString('base64') } });
  }
  return batches;
}
