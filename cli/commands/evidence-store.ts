import { resolve } from 'node:path';
import type { FunctionEnvironment } from '#adapters/config/env.ts';
import { asKubeguardError } from '#core/errors.ts';
import type { EvidenceSources } from '#core/evidence-pack/model.ts';
import { unreachableError, usageError } from '../errors.ts';
import type { CliIo } from '../io.ts';

/**
 * `kubeguard evidence --store` (cli/commands/evidence.ts, decision D72): the deployed stores found
 * and checked before the first read, and a store that cannot be read told apart from a misuse.
 */

/** Where `--store` reads: flags that take the place of the functions' variables. */
export interface StoreInput {
  kind: 'store';
  table?: string;
  tableRegion?: string;
  bucket?: string;
  evidenceDir?: string;
  config?: string;
}

/** Variables of the shell that the functions read but `--store` has no use for (a stray one must not fail it). */
const UNUSED_VARIABLES = ['SLACK_BOT_TOKEN', 'SLACK_SECRET_ARN', 'SLACK_API_URL', 'DELIVERY_FUNCTION_NAME'];

/**
 * The deployed stores, found as the functions find them (readFunctionEnvironment) with the flags
 * taking the place of their variables, read by the sources `/k8s evidence` uses. Everything that can
 * be checked before the first read is: the table, the bucket or directory, the configuration, the
 * clusters named, the AWS credentials.
 */
export async function storeSources(
  input: StoreInput,
  clusters: string[] | 'all',
  io: CliIo,
): Promise<EvidenceSources> {
  const [{ readFunctionEnvironment }, { awsRuntimeFromEnv }, { storedEvidenceSourcesFromEnv }] =
    await Promise.all([
      import('#adapters/config/env.ts'),
      import('#adapters/config/aws-runtime.ts'),
      import('#adapters/evidence/pack-sources-from-env.ts'),
    ]);
  const env: Record<string, string | undefined> = { ...io.env };
  for (const name of UNUSED_VARIABLES) delete env[name];
  if (input.table !== undefined) env.KUBEGUARD_TABLE_NAME = input.table;
  if (input.tableRegion !== undefined) env.KUBEGUARD_TABLE_REGION = input.tableRegion;
  if (input.bucket !== undefined) {
    env.KUBEGUARD_EVIDENCE_BUCKET = input.bucket;
    delete env.KUBEGUARD_EVIDENCE_DIR;
  }
  const directory = input.evidenceDir ?? env.KUBEGUARD_EVIDENCE_DIR?.trim();
  if (input.evidenceDir !== undefined) delete env.KUBEGUARD_EVIDENCE_BUCKET;
  // A relative directory is the user's, not the process's: the CLI may run with another cwd.
  if (directory !== undefined && directory !== '' && input.bucket === undefined)
    env.KUBEGUARD_EVIDENCE_DIR = resolve(io.cwd, directory);
  const config = await storeConfig(input.config, env, io);
  env.KUBEGUARD_CONFIG = JSON.stringify(config.json);
  let environment: FunctionEnvironment;
  try {
    environment = readFunctionEnvironment(env);
  } catch (error) {
    throw usageError(asKubeguardError(error).message);
  }
  if (environment.tableName === undefined) {
    throw usageError(
      `--store needs the kubeguard table: give --table NAME or set KUBEGUARD_TABLE_NAME — the ${STATEFUL_OUTPUT('FindingsTableName')}`,
    );
  }
  if (environment.evidenceBucket === undefined && environment.evidenceDirectory === undefined) {
    throw usageError(
      `--store needs the evidence bucket, where the reports are: give --bucket NAME or set KUBEGUARD_EVIDENCE_BUCKET — the ${STATEFUL_OUTPUT('EvidenceBucketName')} (or --evidence-dir DIR, KUBEGUARD_EVIDENCE_DIR, for a local evidence directory)`,
    );
  }
  const configured = environment.config.clusters.map((cluster) => cluster.name);
  const unknown = clusters === 'all' ? undefined : clusters.find((name) => !configured.includes(name));
  if (unknown !== undefined) {
    throw usageError(
      `unknown cluster "${unknown}"; ${config.source} configures ${configured.join(', ')} — name one of them, or give the deployed configuration with --config`,
    );
  }
  if (environment.dynamoDbEndpoint === undefined) {
    try {
      // The table's client takes its credentials from these variables (as in Lambda), not from a profile.
      awsRuntimeFromEnv(env);
    } catch (error) {
      throw usageError(`--store reads the kubeguard table as you: ${asKubeguardError(error).message}`);
    }
  }
  const sources = storedEvidenceSourcesFromEnv(environment);
  if (sources === undefined) throw new Error('unreachable: the evidence bucket or directory was checked');
  return sources;
}

const STATEFUL_OUTPUT = (key: string) =>
  `output ${key} of the Kubeguard-Stateful stack: aws cloudformation describe-stacks --stack-name Kubeguard-Stateful --query "Stacks[0].Outputs[?OutputKey=='${key}'].OutputValue" --output text`;

/**
 * The deployed configuration, for the clusters `all` means and the names --cluster may use: --config,
 * KUBEGUARD_CONFIG (what the functions read), or ./kubeguard.config.json (the file the CDK app deploys).
 */
async function storeConfig(
  file: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  io: CliIo,
): Promise<{ json: unknown; source: string }> {
  const { readFile } = await import('node:fs/promises');
  const { parseConfig } = await import('#core/config/schema.ts');
  let text: string;
  let source: string;
  if (file === undefined && (env.KUBEGUARD_CONFIG ?? '').trim() !== '') {
    text = env.KUBEGUARD_CONFIG as string;
    source = 'KUBEGUARD_CONFIG';
  } else {
    source = file ?? 'kubeguard.config.json';
    try {
      text = await readFile(resolve(io.cwd, source), 'utf8');
    } catch (error) {
      throw usageError(
        file === undefined
          ? '--store needs the deployed configuration (its clusters): give --config kubeguard.config.json or set KUBEGUARD_CONFIG; there is no ./kubeguard.config.json'
          : `cannot read --config ${JSON.stringify(file)} (${(error as NodeJS.ErrnoException).code})`,
      );
    }
  }
  try {
    const json = JSON.parse(text) as unknown;
    parseConfig(json, source);
    return { json, source };
  } catch (error) {
    throw usageError(`${source}: ${asKubeguardError(error).message}`);
  }
}

/**
 * A store that could not be read ends with exit 3 and what was refused (the SDK's error, e.g.
 * AccessDeniedException, ResourceNotFoundException, NoSuchBucket) — a store's own message names only
 * the step. Anything else is rethrown.
 */
export function storeFailure(error: unknown): void {
  const known = asKubeguardError(error);
  if (known.code !== 'UPSTREAM' && known.code !== 'FORBIDDEN') return;
  const causes: string[] = [];
  for (let cause = known.cause; cause instanceof Error && causes.length < 3; cause = cause.cause) {
    causes.push(`${cause.name}: ${cause.message}`);
  }
  throw unreachableError(
    `${[known.message, ...causes].join(': ')} — --store needs dynamodb:Query, dynamodb:Scan and dynamodb:GetItem on the kubeguard table, s3:GetObject and s3:ListBucket on the evidence bucket's audits/ (kms:Decrypt when it is encrypted with a KMS key): docs/cli.md`,
  );
}
