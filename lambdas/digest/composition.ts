import { digestStoresFromEnv } from '../../adapters/aws/digest-from-env.ts';
import { createResvgRasterizer } from '../../adapters/chart/png.ts';
import { type FunctionEnvironment, functionEnvironment } from '../../adapters/config/env.ts';
import { createInvocationTracer } from '../../adapters/observability/tracer.ts';
import { createDigestSlackFromEnv } from '../../adapters/slack/digest-slack-from-env.ts';
import type { DigestRunDeps } from '../../core/digest/send.ts';
import { functionObservability } from '../shared/observability.ts';
import { once, systemClock } from '../shared/runtime.ts';

/**
 * What a digest run needs from an environment: the function's (below) and the sandbox's in-process
 * scheduler (cli/sandbox/digests.ts) build it here, so both run one pipeline.
 */
export function digestRunFromEnv(
  environment: FunctionEnvironment,
  clock: () => string = systemClock,
): Omit<DigestRunDeps, 'owner' | 'remainingMs'> {
  const { subscriptions, ledger, sources } = digestStoresFromEnv(environment);
  return {
    subscriptions,
    ledger,
    sources,
    slack: createDigestSlackFromEnv(environment),
    chart: createResvgRasterizer(),
    clusters: environment.config.clusters.map((cluster) => cluster.name),
    suppressions: environment.config.detection.suppressions,
    settings: environment.config.digest,
    clock,
  };
}

/** What the digest function runs, built once per cold start from the validated environment. */
export const composeDigest = once(() => {
  const environment = functionEnvironment();
  // Before the Slack client: its calls are traced and their 429s counted through it.
  const observability = functionObservability('digest', createInvocationTracer);
  return { logger: observability.logger, observability, run: digestRunFromEnv(environment) };
});
