import { spawnSync } from 'node:child_process';
import {
  accessSync,
  constants,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeguardConfigInput } from '../core/config/schema.ts';
import { ConfigError } from '../core/errors.ts';
import type { LoadedConfig } from '../infra/config.ts';
import {
  baselineText,
  compareWithBaseline,
  describeComparison,
  type Finding,
  isClean,
  parseBaseline,
  parseCheckovReport,
  TODO_REASON,
  updatedBaseline,
} from './checkov-baseline.ts';

/**
 * `npm run checkov` (node scripts/checkov.ts [--update]): synthesizes kubeguard's stacks for a
 * representative configuration, runs checkov's CloudFormation checks on every template and compares
 * the failed checks with infra/checkov-baseline.json (D58).
 *
 *   check mode  exit 0 when every failed check is listed with a reason and every entry still occurs;
 *               exit 1 listing new findings, entries that no longer occur and entries whose reason is TODO
 *   --update    rewrites the baseline: existing entries keep their reason, new ones get "TODO"
 *
 * checkov: $CHECKOV, else .cache/checkov/bin/checkov (what .ci/run installs), else `checkov` on PATH.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BASELINE = join(ROOT, 'infra', 'checkov-baseline.json');
export const CHECKOV_VERSION = '3.3.30';
export const INSTALL_COMMAND = `python3 -m venv .cache/checkov && .cache/checkov/bin/pip install --quiet checkov==${CHECKOV_VERSION}`;

/**
 * The richest deployment the configuration supports: a home account and a member account, clusters
 * in two regions, an ops channel, the action worker in a VPC. Every stack kind the app can produce appears in it, so each one's
 * resources are checked.
 */
const ORGANIZATION: KubeguardConfigInput = {
  home: { account: '111122223333', region: 'us-east-1' },
  accounts: [{ id: '222233334444', name: 'prod', externalId: 'kubeguard-prod-external-id' }],
  clusters: [
    { name: 'prod-cluster', region: 'us-east-1', account: '222233334444' },
    { name: 'staging-cluster', region: 'us-east-1', auditLogGroup: '/custom/staging/audit' },
    { name: 'eu-cluster', region: 'eu-west-1', account: '222233334444' },
  ],
  slack: { defaultChannel: '#kubeguard-alerts', opsChannel: '#kubeguard-ops' },
  // The monthly evidence pack and Object Lock: the rule and the locked bucket are checked too.
  evidence: { schedule: true, channel: '#compliance', objectLock: { mode: 'GOVERNANCE', days: 365 } },
  remediation: {
    workerVpc: { subnetIds: ['subnet-0123456789abcdef0'], securityGroupIds: ['sg-0123456789abcdef0'] },
  },
};

/** What the app supports when it refuses clusters in two regions: two clusters of one region. */
const ONE_REGION: KubeguardConfigInput = {
  clusters: [
    { name: 'prod-cluster', region: 'us-east-1' },
    { name: 'staging-cluster', region: 'us-east-1', auditLogGroup: '/custom/staging/audit' },
  ],
  slack: { defaultChannel: '#kubeguard-alerts' },
  // The monthly evidence pack and Object Lock: the rule and the locked bucket are checked too.
  evidence: { schedule: true, channel: '#compliance', objectLock: { mode: 'GOVERNANCE', days: 365 } },
  remediation: {
    workerVpc: { subnetIds: ['subnet-0123456789abcdef0'], securityGroupIds: ['sg-0123456789abcdef0'] },
  },
};

async function representativeConfig(): Promise<{ name: string; loaded: LoadedConfig }> {
  const { loadConfig } = await import('../infra/config.ts');
  try {
    return {
      name: 'two accounts, two regions',
      loaded: loadConfig(ORGANIZATION, 'the checkov configuration'),
    };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return {
      name: 'two clusters in one region',
      loaded: loadConfig(ONE_REGION, 'the checkov configuration'),
    };
  }
}

/**
 * Synthesizes the real app and returns its templates. Bundling is skipped (`aws:cdk:bundling-stacks`
 * empty): it changes only the code assets' S3 keys, which no check reads, and takes most of the time.
 */
async function synthesize(outdir: string, loaded: LoadedConfig): Promise<string[]> {
  // Loaded here, after the checkov check: a missing checkov is reported without loading the CDK app.
  const [{ App }, { addKubeguardStacks }] = await Promise.all([
    import('aws-cdk-lib'),
    import('../infra/kubeguard-app.ts'),
  ]);
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  // cdk-nag is the nag test's business; its report does not change the templates.
  addKubeguardStacks(app, loaded, { nag: false });
  app.synth();
  return readdirSync(outdir)
    .filter((name) => name.endsWith('.template.json'))
    .sort()
    .map((name) => join(outdir, name));
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function checkovBinary(): string | undefined {
  const fromEnv = process.env.CHECKOV;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const cached = join(ROOT, '.cache', 'checkov', 'bin', 'checkov');
  if (isExecutable(cached)) return cached;
  for (const directory of (process.env.PATH ?? '').split(':')) {
    if (directory !== '' && isExecutable(join(directory, 'checkov'))) return join(directory, 'checkov');
  }
  return undefined;
}

/** checkov exits 1 when a check fails; only a missing report is an error. */
function runCheckov(binary: string, templates: string[]): Finding[] {
  const result = spawnSync(
    binary,
    [
      ...templates.flatMap((template) => ['-f', template]),
      '--framework',
      'cloudformation',
      '--output',
      'json',
      '--quiet',
      '--compact',
      // Nothing is fetched from Prisma Cloud (guidelines, severities); the checks ship with checkov.
      '--skip-download',
    ],
    {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      // No request to PyPI for a newer version: CI and tests run without network.
      env: { ...process.env, CKV_SKIP_PACKAGE_UPDATE_CHECK: 'true', LOG_LEVEL: 'WARNING' },
    },
  );
  if (result.error !== undefined) throw new Error(`cannot run ${binary}: ${result.error.message}`);
  if (result.status !== 0 && result.status !== 1) {
    throw new Error(`${binary} exited with ${result.status ?? result.signal}: ${result.stderr.slice(-2000)}`);
  }
  return parseCheckovReport(result.stdout);
}

async function main(args: string[]): Promise<number> {
  const update = args.includes('--update');
  const unknown = args.filter((arg) => arg !== '--update');
  if (unknown.length > 0) {
    console.error(`unknown argument ${unknown.join(' ')}; usage: node scripts/checkov.ts [--update]`);
    return 2;
  }
  const binary = checkovBinary();
  if (binary === undefined || !isExecutable(binary)) {
    const where =
      binary === undefined
        ? 'not found ($CHECKOV, .cache/checkov/bin/checkov, PATH)'
        : `not executable: $CHECKOV=${binary}`;
    console.error(`checkov ${where}; install it from the repository root with:\n  ${INSTALL_COMMAND}`);
    return 2;
  }
  const baseline = existsSync(BASELINE) ? parseBaseline(readFileSync(BASELINE, 'utf8'), BASELINE) : [];
  const { name, loaded } = await representativeConfig();
  const outdir = mkdtempSync(join(tmpdir(), 'kubeguard-checkov-'));
  try {
    const started = performance.now();
    const templates = await synthesize(outdir, loaded);
    const synthesized = performance.now();
    const findings = runCheckov(binary, templates);
    const seconds = (ms: number) => (ms / 1000).toFixed(1);
    console.log(
      `checkov ${binary}: ${templates.length} templates (${name}), synth ${seconds(synthesized - started)} s, ` +
        `checkov ${seconds(performance.now() - synthesized)} s, ${findings.length} failed checks`,
    );
    if (update) {
      const entries = updatedBaseline(findings, baseline);
      writeFileSync(BASELINE, baselineText(entries));
      const todo = entries.filter((entry) => entry.reason === TODO_REASON).length;
      console.log(
        `wrote ${BASELINE}: ${entries.length} entries, ${todo} with reason "${TODO_REASON}" — write each one's reason`,
      );
      return 0;
    }
    const comparison = compareWithBaseline(findings, baseline);
    if (isClean(comparison)) {
      console.log(
        `every failed check is in infra/checkov-baseline.json with its reason (${baseline.length} entries)`,
      );
      return 0;
    }
    console.log(describeComparison(comparison, baseline).join('\n'));
    console.log(
      'fix the resource, or run `npm run checkov -- --update` and write the reason of each new entry in infra/checkov-baseline.json',
    );
    return 1;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

process.exitCode = await main(process.argv.slice(2));
