import { resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { ConfigError } from '#core/errors.ts';
import { loadConfigFile } from '../config.ts';
import { addKubeguardStacks } from '../kubeguard-app.ts';

/**
 * `npx cdk synth|deploy`: builds kubeguard's stacks from kubeguard.config.json at the repository root,
 * or from the file given with `-c config=PATH`. An invalid file fails synthesis with a message naming
 * the field. `-c account=ID` and `-c region=NAME` are checked against the file's `home`.
 */
const app = new App();
const configPath = resolve(String(app.node.tryGetContext('config') ?? 'kubeguard.config.json'));
/** `-c account=ID` / `-c region=NAME`: must agree with the file's `home` (the account may fill it in). */
const context = (key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  return value === undefined ? undefined : String(value);
};
try {
  addKubeguardStacks(
    app,
    loadConfigFile(configPath, { account: context('account'), region: context('region') }),
  );
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`kubeguard: ${error.message}\n`);
  process.exit(1);
}
