import { type BotEnvironment, botEnvironment } from '../adapters/config/bot-env.ts';
import { AwsLambdaReceiver } from '../adapters/slack/bolt-runtime.ts';
import { botSecretsFromEnv, ingressDepsFromEnv } from '../adapters/slack/ingress-from-env.ts';
import type { IngressDeps } from '../core/chatops/ingress.ts';
import type { ChatopsLog } from '../core/chatops/ports.ts';
import { countingDenials, type MetricsRecorder, noMetrics } from '../core/observability/recorder.ts';
import { createApp } from './app.ts';
import { createSlackHttpIngress, type SlackHttpIngress } from './http-ingress.ts';
import { createBotLogger } from './logger.ts';

/**
 * The Bolt app behind kubeguard's verifier, for an HTTP entry point: the Lambda function or the local
 * server. Bolt's own signature check is off — the verifier in front of it is stricter (exact bytes,
 * both directions of the clock, replays) — so the receiver's secret is a placeholder.
 */
export function createHttpBot(options: {
  deps: IngressDeps;
  botToken: string;
  signingSecret: string;
}): SlackHttpIngress {
  const receiver = new AwsLambdaReceiver({
    signingSecret: 'verified-before-bolt',
    signatureVerification: false,
    // Bolt's "not acknowledged within 3001 ms" warning would be a lie: kubeguard acks every request.
    unhandledRequestTimeoutMillis: 2500,
  });
  createApp({ deps: options.deps, receiver, botToken: options.botToken });
  return createSlackHttpIngress({
    signingSecret: options.signingSecret,
    claims: options.deps.claims,
    receiver,
    nowMs: options.deps.nowMs,
    log: options.deps.log,
  });
}

/**
 * The Lambda ingress from its environment: both secrets read once, in parallel, at cold start.
 * Denials the listeners write to the trail count as ActionsDenied.
 */
export async function composeLambdaIngress(
  environment: BotEnvironment = botEnvironment(),
  log: ChatopsLog = createBotLogger(),
  metrics: MetricsRecorder = noMetrics,
): Promise<SlackHttpIngress> {
  const { botToken, signingSecret } = await botSecretsFromEnv(environment);
  const deps = ingressDepsFromEnv(environment, { botToken, log });
  return createHttpBot({
    deps: { ...deps, trail: countingDenials(deps.trail, metrics) },
    botToken,
    signingSecret,
  });
}
