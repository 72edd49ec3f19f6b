import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Role, roleSatisfies } from '#core/authz/policy.ts';
import { type KubeguardConfig, parseConfig } from '#core/config/schema.ts';
import { ConfigError } from '#core/errors.ts';
import { DEFAULT_CHANNELS, DEFAULT_USERS, type SandboxChannel, type SandboxUser } from './slack/index.ts';

/**
 * The sandbox's kubeguard configuration: a kubeguard.config.json like production's, whose
 * `authorization.grants` decide what each sandbox user may do — the page's users are the people
 * those grants name, and the role shown beside each name is the strongest role the grants give.
 * The bundled file (kubeguard.sandbox.json) grants alice admin and victor viewer, so a denial can be
 * seen; `kubeguard start --config FILE` uses another.
 */
export const SANDBOX_CONFIG_FILE = join(dirname(fileURLToPath(import.meta.url)), 'kubeguard.sandbox.json');

export interface SandboxSetup {
  /** The configuration as given (clusters re-pointed when a kubeconfig names another cluster). */
  config: KubeguardConfig;
  /** The raw JSON, for KUBEGUARD_CONFIG. */
  json: Record<string, unknown>;
  users: SandboxUser[];
}

export function loadSandboxConfig(file: string = SANDBOX_CONFIG_FILE): SandboxSetup {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(
      `cannot read the sandbox configuration ${file}: ${(error as Error).message}; pass a kubeguard.config.json with --config`,
      { cause: error },
    );
  }
  return setupFrom(json, file);
}

/** The same configuration for another single cluster (a real cluster reached through a kubeconfig). */
export function withCluster(setup: SandboxSetup, cluster: { name: string; region: string }): SandboxSetup {
  return setupFrom({ ...setup.json, clusters: [cluster] }, `the sandbox configuration for ${cluster.name}`);
}

function setupFrom(json: Record<string, unknown>, source: string): SandboxSetup {
  const config = parseConfig(json, source);
  return { config, json, users: sandboxUsers(config) };
}

/** Everyone a grant names, with the strongest role granted; names from the default users. */
function sandboxUsers(config: KubeguardConfig): SandboxUser[] {
  const roles = new Map<string, Role>();
  for (const grant of config.authorization.grants) {
    for (const user of grant.users) {
      const held = roles.get(user);
      if (held === undefined || !roleSatisfies(held, grant.role)) roles.set(user, grant.role);
    }
  }
  if (roles.size === 0) {
    throw new ConfigError(
      'the sandbox configuration grants no role to any user (authorization.grants): the page would have nobody to sign in as',
    );
  }
  return [...roles].map(([id, role]) => ({
    id,
    name: DEFAULT_USERS.find((user) => user.id === id)?.name ?? id.toLowerCase(),
    role,
  }));
}

/** The sandbox Slack's channels: the defaults, plus any channel id the configuration routes alerts to. */
export function sandboxChannels(config: KubeguardConfig): SandboxChannel[] {
  const channels = [...DEFAULT_CHANNELS];
  const routed = [config.slack.defaultChannel, ...config.slack.routes.map((route) => route.channel)];
  for (const channel of routed) {
    if (/^#/.test(channel)) {
      throw new ConfigError(
        `the sandbox's Slack knows channels by id; the configuration routes to ${JSON.stringify(channel)} — use C0SANDBOX1 (#kubeguard-alerts), C0SANDBOX2 (#kubeguard-audit) or another C… id`,
      );
    }
    if (!channels.some((known) => known.id === channel))
      channels.push({ id: channel, name: channel.toLowerCase() });
  }
  return channels;
}
