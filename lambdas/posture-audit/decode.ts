import { type ClusterConfig, clusterNotConfigured, type KubeguardConfig } from '../../core/config/schema.ts';
import { InvalidEventError } from '../../core/errors.ts';

/**
 * Edge validation of what invokes the posture audit: the daily EventBridge schedule (a "Scheduled
 * Event", or a rule's constant input without `cluster`) audits every configured cluster;
 * `{"cluster": "<name>"}` (a per-cluster rule input, a manual invoke, `/k8s audit`) audits that one.
 * Throws InvalidEventError naming the field and value, or ConfigError for a cluster not configured.
 */
export function decodePostureAuditEvent(event: unknown, config: KubeguardConfig): readonly ClusterConfig[] {
  if (event === undefined || event === null) return config.clusters;
  if (typeof event !== 'object' || Array.isArray(event)) {
    throw new InvalidEventError(
      `posture audit event must be an object; received ${JSON.stringify(event)?.slice(0, 80)} — send {} or {"cluster": "<name>"}`,
    );
  }
  if (!('cluster' in event)) return config.clusters;
  const cluster = (event as { cluster: unknown }).cluster;
  if (typeof cluster !== 'string' || cluster === '') {
    throw new InvalidEventError(
      `posture audit event field "cluster" must be a cluster name; received ${JSON.stringify(cluster)?.slice(0, 80)}`,
      { details: { field: 'cluster' } },
    );
  }
  const configured = config.clusters.find((candidate) => candidate.name === cluster);
  if (configured === undefined) throw clusterNotConfigured(cluster, config);
  return [configured];
}
