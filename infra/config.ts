import { readFileSync } from 'node:fs';
import { type KubeguardConfig, parseConfig } from '#core/config/schema.ts';
import { ConfigError } from '#core/errors.ts';

/**
 * The configuration as the CDK app sees it: the typed, validated value it builds resources from, and
 * the file's own JSON (validated, minified) that it hands to every function as KUBEGUARD_CONFIG.
 *
 * The functions get the file's JSON rather than the parsed value because parsing fills in defaults
 * (the image allow-lists alone are ~2.4 KB) and Lambda allows 4 KB of environment in total; the
 * functions run the same `parseConfig` at cold start, so they see the same value, with the defaults of
 * the code they ship with.
 */
export interface LoadedConfig {
  readonly config: KubeguardConfig;
  readonly json: string;
}

/** Validates already-parsed JSON; `source` names it in error messages. */
export function loadConfig(raw: unknown, source = 'kubeguard.config.json'): LoadedConfig {
  const config = parseConfig(raw, source);
  assertOneRegion(config, source);
  return { config, json: JSON.stringify(raw) };
}

/** Reads and validates a kubeguard.config.json file; every failure is a ConfigError naming the file. */
export function loadConfigFile(path: string): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `cannot read configuration file ${path}: ${(error as Error).message} — create it (see docs/deploy.md) or pass another path with -c config=PATH`,
      { cause: error },
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`invalid ${path}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  return loadConfig(raw, path);
}

/**
 * A CloudWatch Logs subscription filter can only deliver to a function in the log group's region, and
 * GuardDuty publishes findings to EventBridge in the finding's region: one deployment serves the
 * clusters of one region. Deploy once per region for clusters in several regions.
 */
function assertOneRegion(config: KubeguardConfig, source: string): void {
  const home = config.clusters[0]?.region;
  const index = config.clusters.findIndex((cluster) => cluster.region !== home);
  if (index === -1) return;
  const cluster = config.clusters[index];
  throw new ConfigError(
    `invalid ${source}: clusters.${index}.region: "${cluster?.region}" differs from clusters.0.region "${home}"; ` +
      'one kubeguard deployment serves the clusters of one region (audit-log subscriptions and GuardDuty ' +
      'events are regional) — list only the clusters of one region and deploy once per region with -c config=PATH',
  );
}
