import { randomBytes } from 'node:crypto';
import { ALERT_ACTION_IDS } from '../../core/slack-views/ids.ts';
import { ALERT_CHANNEL, startBotHarness, USERS } from '../../test/support/slack-bot-harness.ts';
import { blockActionBody, send, signed, slashCommandBody } from '../../test/support/slack-requests.ts';
import { type BenchSuite, type Figure, verdict } from '../figure.ts';

/**
 * How fast the Slack bot acknowledges, over local HTTP (bot/local.ts: the verifier, the Bolt app, the
 * ingress), with its stores on dynalite: the time from sending a signed request to its HTTP answer,
 * for commands that queue work (`/k8s findings`) and for Acknowledge clicks on distinct alerts (each
 * claims its keys, records the request and queues it). Slack gives 3 s; the target leaves room for a
 * cold start and DynamoDB in another region. The worker is off, so only the ack is measured.
 */
const REQUESTS = 200;
const WARM_UP = 20;
const P99_TARGET_MS = 200;

export const suite: BenchSuite = {
  name: 'slack-ack',
  run: async () => {
    const h = await startBotHarness({ runWorker: false });
    try {
      let sequence = 0;
      const command = () => {
        sequence += 1;
        return signed(
          slashCommandBody({
            user_id: USERS.viewer,
            team_id: 'T111',
            channel_id: ALERT_CHANNEL,
            text: 'findings open --severity high',
            trigger_id: `${sequence}.333.bench`,
            response_url: h.slack.responseUrl(`commands/T111/${sequence}/b`),
          }),
        );
      };
      const click = () => {
        sequence += 1;
        // A distinct alert each time, so every click runs the whole path (no double-click shortcut).
        const value = JSON.stringify({ fp: randomBytes(16).toString('hex'), c: 'prod-cluster' });
        return signed(
          blockActionBody({
            actionId: ALERT_ACTION_IDS.acknowledge,
            value,
            userId: USERS.admin,
            channel: ALERT_CHANNEL,
            messageTs: `1733220000.${String(sequence).padStart(6, '0')}`,
            actionTs: `1733230000.${String(sequence).padStart(6, '0')}`,
            triggerId: `${sequence}.444.bench`,
            responseUrl: h.slack.responseUrl(`actions/T111/${sequence}/b`),
          }),
        );
      };
      const commands = await latencies(h.bot.url, command);
      const clicks = await latencies(h.bot.url, click);
      return [...figures('command', commands), ...figures('click', clicks)];
    } finally {
      await h.stop();
    }
  },
};

async function latencies(url: string, request: () => ReturnType<typeof signed>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < WARM_UP + REQUESTS; i += 1) {
    const prepared = request();
    const start = performance.now();
    const answer = await send(url, prepared);
    const elapsed = performance.now() - start;
    if (answer.status !== 200)
      throw new Error(`the bot answered ${answer.status}: ${answer.text.slice(0, 200)}`);
    if (i >= WARM_UP) times.push(elapsed);
  }
  return times.sort((a, b) => a - b);
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

function figures(kind: string, sorted: readonly number[]): Figure[] {
  const p50 = percentile(sorted, 50);
  const p99 = percentile(sorted, 99);
  return [
    { name: `${kind} ack p50 (${REQUESTS} over local HTTP)`, value: round(p50), unit: 'ms', target: '' },
    {
      name: `${kind} ack p99 (${REQUESTS} over local HTTP)`,
      value: round(p99),
      unit: 'ms',
      target: verdict(`< ${P99_TARGET_MS} ms`, p99 < P99_TARGET_MS),
    },
  ];
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
