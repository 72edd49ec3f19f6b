import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type KubeguardConfig, parseConfig } from '#core/config/schema.ts';
import { asKubeguardError } from '#core/errors.ts';
import type { CliIo } from './io.ts';

/**
 * The configuration of `detect` and `render alert`: the named file, ./kubeguard.config.json when it
 * exists, or a neutral default — the same for both, so that they agree on the same input (issue 14:
 * detect ignored the configuration's rule settings and reported 12 detections where render showed 8).
 */
export async function loadCommandConfig(
  configFile: string | undefined,
  io: CliIo,
): Promise<KubeguardConfig | { error: string }> {
  const path = resolve(io.cwd, configFile ?? 'kubeguard.config.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (configFile !== undefined) {
      return {
        error: `cannot read ${JSON.stringify(configFile)} (${(error as NodeJS.ErrnoException).code})`,
      };
    }
    return parseConfig({
      clusters: [{ name: 'preview', region: 'us-east-1' }],
      slack: { defaultChannel: '#kubeguard-alerts' },
    });
  }
  try {
    return parseConfig(JSON.parse(text), path);
  } catch (error) {
    return { error: asKubeguardError(error).message };
  }
}
