import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { installAdapterObservability } from '../../../../adapters/observability/hooks.ts';
import { createBotWebClient, createSlackViews } from '../../../../adapters/slack/bot-web-api.ts';
import { createWebApiMessenger } from '../../../../adapters/slack/web-api-messenger.ts';
import type { Block } from '../../../../core/slack-views/blocks.ts';
import { RecordingMetrics } from '../../../support/recording-metrics.ts';
import { type SlackApiDouble, startSlackApiDouble } from '../../../support/slack-api-double.ts';

const TOKEN = 'xoxb-1234-secret-token';
const BLOCKS: Block[] = [{ type: 'section', text: { type: 'mrkdwn', text: '*hello*' } }];

/** The Slack adapters report to the function's metrics and tracer (installed at composition). */
describe('Slack calls, observed', () => {
  let slack: SlackApiDouble;
  let metrics: RecordingMetrics;
  let spans: { name: string; outcome: 'ok' | 'error' }[];
  let restore: () => void;
  beforeAll(async () => {
    slack = await startSlackApiDouble({ token: TOKEN, channels: ['C0ALERTS'] });
  });
  afterAll(async () => {
    await slack.stop();
  });
  beforeEach(() => {
    slack.reset();
    metrics = new RecordingMetrics();
    spans = [];
    restore = installAdapterObservability({
      metrics,
      tracer: {
        awsClient: (client) => client,
        call: async (name, run) => {
          try {
            const result = await run();
            spans.push({ name, outcome: 'ok' });
            return result;
          } catch (error) {
            spans.push({ name, outcome: 'error' });
            throw error;
          }
        },
      },
    });
  });
  afterEach(() => restore());

  const messenger = () => createWebApiMessenger({ token: TOKEN, slackApiUrl: slack.url });

  it('counts each 429 of the messenger and of the bot client as SlackRateLimited, and nothing else', async () => {
    slack.failNext({ status: 429, retryAfter: 7 });
    await expect(
      messenger().postMessage({ channel: 'C0ALERTS', text: 'x', blocks: BLOCKS }),
    ).rejects.toMatchObject({
      code: 'RATE_LIMITED',
    });
    slack.failNext({ status: 200, error: 'ratelimited' });
    await expect(
      createSlackViews(createBotWebClient({ token: TOKEN, slackApiUrl: slack.url })).open('trigger-1', {
        type: 'modal',
        title: { type: 'plain_text', text: 'kubeguard' },
        blocks: [],
      }),
    ).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    slack.failNext({ status: 503 });
    await expect(
      messenger().postMessage({ channel: 'C0ALERTS', text: 'x', blocks: BLOCKS }),
    ).rejects.toMatchObject({
      code: 'UPSTREAM',
    });
    await messenger().postMessage({ channel: 'C0ALERTS', text: 'x', blocks: BLOCKS });

    expect(metrics.recorded).toEqual([
      { name: 'SlackRateLimited', value: 1 },
      { name: 'SlackRateLimited', value: 1 },
    ]);
  });

  it('traces each Web API call as its own subsegment, failed ones marked', async () => {
    const posted = await messenger().postMessage({ channel: 'C0ALERTS', text: 'v1', blocks: BLOCKS });
    slack.failNext({ status: 429, retryAfter: 1 });
    await expect(messenger().updateMessage({ ...posted, text: 'v2', blocks: BLOCKS })).rejects.toThrow();

    expect(spans).toEqual([
      { name: 'Slack chat.postMessage', outcome: 'ok' },
      { name: 'Slack chat.update', outcome: 'error' },
    ]);
  });
});
