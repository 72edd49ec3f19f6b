import { digestSubscriptionsFor } from '../../core/chatops/handlers/digest.ts';
import type { ChatopsLog, SlackViewUpdates } from '../../core/chatops/ports.ts';
import type { RemediationRuntime } from '../../core/chatops/remediation-runtime.ts';
import type { WorkerDeps } from '../../core/chatops/worker.ts';
import type { DeliveryTrigger } from '../../core/ports.ts';
import { digestStoresFromEnv } from '../aws/digest-from-env.ts';
import { createDeliveryTriggerFromEnv } from '../aws/lambda-delivery-trigger.ts';
import { DynamoPlanStore } from '../aws/plan-store.ts';
import { recordStoresFromEnv } from '../aws/record-stores-from-env.ts';
import { createResvgRasterizer } from '../chart/png.ts';
import type { FunctionEnvironment } from '../config/env.ts';
import { evidenceWorkerPortsFromEnv } from '../evidence/pack-worker-from-env.ts';
import { auditWorkerPortsFromEnv } from '../kubernetes/audit-worker-from-env.ts';
import { remediationRuntimeFromEnv } from '../kubernetes/remediation-runtime.ts';
import {
  createBotWebClient,
  createSlackHomeTabs,
  createSlackReplies,
  createSlackViewUpdates,
} from './bot-web-api.ts';
import { createDigestSlack } from './digest-slack.ts';
import { createSlackMessengerFromEnv } from './messenger-from-env.ts';

/**
 * What the action worker needs. `delivery` defaults to nudging DELIVERY_FUNCTION_NAME, or nothing
 * when it is not set (the delivery schedule then updates the alert within a minute).
 */
export function workerDepsFromEnv(
  environment: FunctionEnvironment,
  parts: {
    botToken: string;
    log: ChatopsLog;
    delivery?: DeliveryTrigger;
    clock?: () => string;
    /** Cluster access for remediations. @default the configured EKS clusters (remediationRuntimeFromEnv) */
    remediation?: RemediationRuntime;
  },
): WorkerDeps {
  const { table, findings, trail, history } = recordStoresFromEnv(environment);
  const client = createBotWebClient({
    token: parts.botToken,
    timeoutMs: 10_000,
    ...(environment.slackApiUrl === undefined ? {} : { slackApiUrl: environment.slackApiUrl }),
  });
  // The digest function's own stores and Slack calls: a preview is built exactly as a sent digest.
  const digestStores = digestStoresFromEnv(environment);
  // `/k8s evidence` and the monthly pack: the same stores, and the evidence bucket (or directory).
  const evidence = evidenceWorkerPortsFromEnv(environment, { history, findings, trail });
  return {
    config: environment.config,
    findings,
    trail,
    replies: createSlackReplies({
      client,
      // A local Slack double serves response URLs too (tests, the sandbox).
      ...(environment.slackApiUrl === undefined
        ? {}
        : { extraResponseOrigins: [new URL(environment.slackApiUrl).origin] }),
    }),
    delivery: parts.delivery ?? createDeliveryTriggerFromEnv(environment) ?? { nudge: async () => {} },
    messenger: createSlackMessengerFromEnv(environment),
    home: {
      history,
      digests: digestSubscriptionsFor(digestStores.subscriptions, environment.config.digest),
      tabs: createSlackHomeTabs(client),
    },
    // Plans wait in the kubeguard table; clusters are reached as the worker's (remediation) role.
    remediation: {
      runtime: parts.remediation ?? remediationRuntimeFromEnv(environment, table),
      plans: new DynamoPlanStore(table),
      views: createSlackViewUpdates(client),
    },
    digest: {
      subscriptions: digestStores.subscriptions,
      sources: digestStores.sources,
      slack: createDigestSlack({
        token: parts.botToken,
        ...(environment.slackApiUrl === undefined ? {} : { slackApiUrl: environment.slackApiUrl }),
      }),
      chart: createResvgRasterizer(),
    },
    clock: parts.clock ?? (() => new Date().toISOString()),
    log: parts.log,
    ...auditPorts(environment, createSlackViewUpdates(client)),
    ...(evidence === undefined ? {} : { evidence }),
  };
}

/** `/k8s audit` and Show details, when an evidence store is configured (else they say so). */
function auditPorts(environment: FunctionEnvironment, views: SlackViewUpdates) {
  const audit = auditWorkerPortsFromEnv(environment, views);
  return audit === undefined ? {} : { audit };
}
