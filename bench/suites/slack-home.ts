import { applyOccurrences } from '../../core/findings/record.ts';
import { fingerprintOf } from '../../core/model/finding.ts';
import { guardDutyDetection } from '../../test/support/detections.ts';
import { loadFixture } from '../../test/support/fixtures.ts';
import { type BotHarness, startBotHarness, USERS } from '../../test/support/slack-bot-harness.ts';
import { send, signed } from '../../test/support/slack-requests.ts';
import { type BenchSuite, type Figure, verdict } from '../figure.ts';

/**
 * The App Home tab (docs/decisions.md, "the Home tab is published by the worker"): how fast
 * `app_home_opened` is acknowledged over local HTTP when the listener only claims, records and
 * queues; and how long the whole publication takes — the ingress, reading the posture history and
 * the open findings, views.publish — with OPEN_FINDINGS open findings on dynalite. The second figure
 * is what a listener that published before returning would make Slack wait (3 s, then a retry).
 */
const EVENTS = 200;
const WARM_UP = 20;
const ACK_P99_TARGET_MS = 200;
const OPEN_FINDINGS = 2000;
const PUBLICATIONS = 10;
/** Slack's 3 s less the margin the other listeners keep (one Slack call is capped at 1.5 s). */
const INLINE_BUDGET_MS = 1500;

export const suite: BenchSuite = {
  name: 'slack-home',
  run: async () => {
    const acks = await withHarness(false, async (h) => timeEach(h, EVENTS + WARM_UP, WARM_UP));
    const publications = await withHarness(true, async (h) => {
      await seedOpenFindings(h, OPEN_FINDINGS);
      return timeEach(h, PUBLICATIONS + 1, 1, true);
    });
    const ackP99 = percentile(acks, 99);
    const publishP99 = percentile(publications, 99);
    const figures: Figure[] = [
      {
        name: `home ack p50 (${EVENTS} over local HTTP)`,
        value: round(percentile(acks, 50)),
        unit: 'ms',
        target: '',
      },
      {
        name: `home ack p99 (${EVENTS} over local HTTP)`,
        value: round(ackP99),
        unit: 'ms',
        target: verdict(`< ${ACK_P99_TARGET_MS} ms`, ackP99 < ACK_P99_TARGET_MS),
      },
      {
        name: `home publication p50 (${OPEN_FINDINGS} open findings)`,
        value: round(percentile(publications, 50)),
        unit: 'ms',
        target: '',
      },
      {
        name: `home publication max (${OPEN_FINDINGS} open findings; inline would need < ${INLINE_BUDGET_MS} ms)`,
        value: round(publishP99),
        unit: 'ms',
        target: '',
      },
    ];
    return figures;
  },
};

async function withHarness<T>(runWorker: boolean, run: (h: BotHarness) => Promise<T>): Promise<T> {
  const h = await startBotHarness({ runWorker });
  try {
    return await run(h);
  } finally {
    await h.stop();
  }
}

let sequence = 0;

/** Sends app_home_opened `count` times; the time to the ack, or to the publication when `untilPublished`. */
async function timeEach(
  h: BotHarness,
  count: number,
  warmUp: number,
  untilPublished = false,
): Promise<number[]> {
  const payload = loadFixture<Record<string, unknown> & { event: Record<string, unknown> }>(
    'slack-app-home-opened.json',
  );
  const times: number[] = [];
  for (let i = 0; i < count; i += 1) {
    sequence += 1;
    const request = signed(
      JSON.stringify({
        ...payload,
        team_id: 'T111',
        event_id: `Ev0BENCH${String(sequence).padStart(6, '0')}`,
        event: { ...payload.event, user: USERS.viewer },
      }),
      { headers: { 'Content-Type': 'application/json' } },
    );
    const published = h.slack.successful('views.publish').length;
    const start = performance.now();
    const answer = await send(h.bot.url, request);
    if (answer.status !== 200)
      throw new Error(`the bot answered ${answer.status}: ${answer.text.slice(0, 200)}`);
    if (untilPublished) {
      await h.settle();
      if (h.slack.successful('views.publish').length !== published + 1)
        throw new Error('the Home tab was not published');
    }
    const elapsed = performance.now() - start;
    if (i >= warmUp) times.push(elapsed);
  }
  return times.sort((a, b) => a - b);
}

/** `count` open findings on prod-cluster, one per namespace (distinct fingerprints). */
async function seedOpenFindings(h: BotHarness, count: number): Promise<void> {
  const now = new Date().toISOString();
  for (let i = 0; i < count; i += 1) {
    const detection = guardDutyDetection('guardduty-eks-exec-in-kube-system-pod.json', {
      eventId: `bench-${i}`,
      namespace: `ns-${i}`,
    });
    await h.store.recordOccurrences(fingerprintOf(detection), [detection], (current, added) =>
      applyOccurrences(current, added, { now, channel: 'C0ALERTS' }),
    );
  }
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
