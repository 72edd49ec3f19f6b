import type { KubeguardConfig } from '../config/schema.ts';
import type { CheckOptions } from './check.ts';

/**
 * The posture checks' options from kubeguard.config.json, the same for the scheduled audit (Lambda)
 * and `/k8s audit` (Slack): KP-086 reads the registry allow-list of the KD-015 detection rule
 * (`detection.allowedRegistries`), KP-093 `posture.criticalImageFindingMaxAgeDays`. The CLI takes
 * them as flags instead (cli/audit/args.ts).
 */
export function postureAuditOptions(config: Pick<KubeguardConfig, 'detection' | 'posture'>): CheckOptions {
  const options: CheckOptions = {};
  const registries = config.detection.allowedRegistries;
  if (registries !== undefined) options.approvedRegistries = registries;
  const maxAge = config.posture?.criticalImageFindingMaxAgeDays;
  if (maxAge !== undefined) options.criticalImageFindingMaxAgeDays = maxAge;
  return options;
}
