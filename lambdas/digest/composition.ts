import { digestStoresFromEnv } from '../../adapters/aws/digest-from-env.ts';
import { createResvgRasterizer } from '../../adapters/chart/png.ts';
import { functionEnvironment } from '../../adapters/config/env.ts';
import { createDigestSlackFromEnv } from '../../adapters/slack/digest-slack-from-env.ts';
import { createFunctionLogger } from '../shared/logger.ts';
import { once, systemClock } from '../shared/runtime.ts';

/** What the digest function runs, built once per cold start from the validated environment. */
export const composeDigest = once(() => {
  const environment = functionEnvironment();
  const { subscriptions, ledger, sources } = digestStoresFromEnv(environment);
  return {
    logger: createFunctionLogger('digest'),
    run: {
      subscriptions,
      ledger,
      sources,
      slack: createDigestSlackFromEnv(environment),
      chart: createResvgRasterizer(),
      clusters: environment.config.clusters.map((cluster) => cluster.name),
      suppressions: environment.config.detection.suppressions,
      settings: environment.config.digest,
      clock: systemClock,
    },
  };
});
