import type { PostureCheck } from '../check.ts';
import { list, record } from '../pod-templates.ts';
import { evaluateCluster, strings } from './aws-support.ts';

/** The five EKS control-plane log types. */
export const CONTROL_PLANE_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];

/**
 * Types logged = union of `types` over the `clusterLogging` entries with `enabled === true`: EKS
 * returns one entry per enabled-state, so a partly logged cluster has an enabled and a disabled one.
 */
export function enabledLogTypes(cluster: Record<string, unknown>): Set<string> {
  const enabled = new Set<string>();
  for (const entry of list(record(cluster.logging)?.clusterLogging).map(record)) {
    if (entry?.enabled === true) for (const type of strings(entry.types)) enabled.add(type);
  }
  return enabled;
}

export const controlPlaneLoggingCheck: PostureCheck = {
  id: 'KP-001',
  title: 'All control-plane log types enabled (at minimum audit)',
  severity: 'high',
  category: 'aws',
  core: true,
  cis: ['2.1.1'],
  reads: ['eks:cluster'],
  remediation:
    'aws eks update-cluster-config --name <cluster> --logging \'{"clusterLogging":[{"types":["api","audit","authenticator","controllerManager","scheduler"],"enabled":true}]}\'',
  evaluate(snapshot) {
    return evaluateCluster(this, snapshot, (cluster) => {
      const enabled = enabledLogTypes(cluster);
      const missing = CONTROL_PLANE_LOG_TYPES.filter((type) => !enabled.has(type));
      const evidence = {
        'cluster.logging.clusterLogging[enabled=true].types': [...enabled].join(',') || '(none)',
      };
      if (missing.length === 0) {
        return { pass: true, message: 'all five control-plane log types are enabled', evidence };
      }
      const absent = cluster.logging === undefined ? ' (cluster.logging is absent)' : '';
      const audit = enabled.has('audit')
        ? ''
        : ': the audit log is off, so kubeguard and GuardDuty see no API activity';
      return {
        pass: false,
        message: `cluster.logging disables ${missing.join(', ')}${absent}${audit}`,
        evidence,
      };
    });
  },
};
