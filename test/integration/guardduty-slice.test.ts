import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoFindingStore } from '../../adapters/aws/findings-store.ts';
import { findingsTableDefinition } from '../../adapters/aws/findings-table.ts';
import { createWebApiMessenger } from '../../adapters/slack/web-api-messenger.ts';
import { parseConfig } from '../../core/config/schema.ts';
import type { AlertDelivery } from '../../core/delivery/outbox.ts';
import { InvalidEventError } from '../../core/errors.ts';
import { alertDeliveryFor, findingRecorderFor } from '../../core/findings/compose.ts';
import { createGuardDutyHandler, type GuardDutyHandler } from '../../lambdas/guardduty-findings/handler.ts';
import type { FunctionLogger } from '../../lambdas/shared/logger.ts';
import { type Dynalite, startDynalite } from '../support/dynalite.ts';
import { ManualTimers } from '../support/fake-timers.ts';
import { fixtureWith, loadFixture } from '../support/fixtures.ts';
import { type SlackApiDouble, startSlackApiDouble } from '../support/slack-api-double.ts';

const TOKEN = 'xoxb-integration-token';

const CONFIG = parseConfig({
  clusters: [
    { name: 'prod-cluster', region: 'us-east-1' },
    { name: 'guardduty-blueprint', region: 'us-east-1' },
  ],
  slack: {
    defaultChannel: 'C0ALERTS',
    criticalMention: 'S0ONCALL',
    routes: [{ cluster: 'prod-cluster', namespace: 'kube-*', channel: 'C0PLATFORM' }],
  },
});

interface LogLine {
  level: 'info' | 'warn' | 'error';
  message: string;
  attributes?: Record<string, unknown>;
}

function recordingLogger(lines: LogLine[]): FunctionLogger {
  const record = (level: LogLine['level']) => (message: string, attributes?: Record<string, unknown>) => {
    lines.push({ level, message, ...(attributes === undefined ? {} : { attributes }) });
  };
  return { info: record('info'), warn: record('warn'), error: record('error') };
}

interface WireBlock {
  type: string;
  block_id?: string;
  text?: { type: string; text: string };
  fields?: { text: string }[];
  elements?: { action_id?: string; value?: string; style?: string; text: string | { text: string } }[];
}

function wireBlocks(body: Record<string, unknown>): WireBlock[] {
  return body.blocks as WireBlock[];
}

function blockById(body: Record<string, unknown>, id: string): WireBlock | undefined {
  return wireBlocks(body).find((b) => b.block_id === id);
}

function fields(body: Record<string, unknown>, id: string): string[] {
  return (blockById(body, id)?.fields ?? []).map((f) => f.text);
}

/** The alert's "Seen N times · first … · last …" context line. */
function seenLine(body: Record<string, unknown>): string {
  const context = wireBlocks(body).find((b) => b.type === 'context') as
    | { elements?: { text?: string }[] }
    | undefined;
  return context?.elements?.find((e) => e.text?.startsWith('Seen '))?.text ?? '';
}

function buttons(body: Record<string, unknown>): { id: string; value: unknown; style?: string }[] {
  return (blockById(body, 'alert_actions')?.elements ?? []).map((e) => ({
    id: e.action_id ?? '',
    value: JSON.parse(e.value ?? 'null'),
    ...(e.style === undefined ? {} : { style: e.style }),
  }));
}

describe('GuardDuty finding → findings store → Slack alert (handler, dynalite, Web API client, loopback Slack)', () => {
  let slack: SlackApiDouble;
  let db: Dynalite;
  let logs: LogLine[];
  let handle: GuardDutyHandler;
  let store: DynamoFindingStore;
  let timers: ManualTimers;
  let delivery: AlertDelivery;
  /** The delivery function's run (the schedule, or the nudge right after ingest). */
  const deliver = () => delivery.deliverPending({ owner: 'delivery-function' });
  let tables = 0;

  beforeAll(async () => {
    slack = await startSlackApiDouble({ token: TOKEN, channels: ['C0ALERTS', 'C0PLATFORM'] });
    db = await startDynalite();
  });
  afterAll(async () => {
    await slack.stop();
    await db.stop();
  });
  beforeEach(async () => {
    slack.reset();
    logs = [];
    tables += 1;
    await db.createTable(findingsTableDefinition(`findings-${tables}`));
    store = new DynamoFindingStore({
      client: db.documentClient,
      tableName: `findings-${tables}`,
      nowSeconds: () => 1_800_000_000,
    });
    // Manual timers: Retry-After and backoff waits are recorded instead of slept.
    timers = new ManualTimers('2024-05-15T16:40:00.000Z');
    delivery = alertDeliveryFor({
      config: CONFIG,
      store,
      messenger: createWebApiMessenger({ token: TOKEN, slackApiUrl: slack.url }),
      timers,
    });
    const ingest = createGuardDutyHandler({
      config: CONFIG,
      logger: recordingLogger(logs),
      findings: findingRecorderFor({ config: CONFIG, store, clock: timers.nowIso }),
    });
    // Record, then deliver: the GuardDuty function, then the delivery function it nudges.
    handle = async (event) => {
      const result = await ingest(event);
      await deliver();
      return result;
    };
  });

  function onlyPost(): Record<string, unknown> {
    const posts = slack.successful('chat.postMessage');
    expect(posts).toHaveLength(1);
    return posts[0] ?? {};
  }

  it('alerts on a privileged container with who, where, console link and buttons', async () => {
    const result = await handle(loadFixture('guardduty-eks-privileged-container.json'));

    const post = onlyPost();
    expect(result).toMatchObject({ status: 'stored', newOccurrence: true, toDeliver: true });
    expect(post.channel).toBe('C0ALERTS');
    expect(blockById(post, 'alert_header')?.text?.text).toBe(
      '[MEDIUM] Privileged container with root level access launched on the EKS Cluster.',
    );
    expect(fields(post, 'alert_where')).toEqual(
      expect.arrayContaining([
        '*Cluster*\n`guardduty-blueprint`',
        '*Namespace*\n`argocd`',
        '*Pod*\n`privileged-pod`',
      ]),
    );
    expect(fields(post, 'alert_who')).toEqual(
      expect.arrayContaining([
        '*Actor*\n`system:serviceaccount:argocd:argocd-application-controller`',
        '*Source IP*\n`10.0.205.129`',
      ]),
    );
    expect(blockById(post, 'alert_evidence')?.text?.text).toContain(
      '<https://us-east-1.console.aws.amazon.com/guardduty/home?region=us-east-1#/findings?fId=f2c3859c6ca25b3057d13470a992bbd7|PrivilegeEscalation:Kubernetes/PrivilegedContainer> (`KD-001`)',
    );
    const reference = { fp: result.status === 'stored' ? result.fingerprint : '', c: 'guardduty-blueprint' };
    const stored = await store.get(reference.fp);
    expect(stored?.slack).toEqual({ channel: 'C0ALERTS', ts: '1700000000.000001' });
    expect(buttons(post)).toEqual([
      { id: 'isolate_pod', value: reference, style: 'danger' },
      { id: 'run_audit', value: reference },
      { id: 'acknowledge', value: reference, style: 'primary' },
      { id: 'suppress', value: reference },
    ]);
    expect(logs).toContainEqual(
      expect.objectContaining({ level: 'info', message: 'GuardDuty finding stored' }),
    );
  });

  it('routes an exec into kube-system on prod-cluster to the platform channel', async () => {
    await handle(loadFixture('guardduty-eks-exec-in-kube-system-pod.json'));

    const post = onlyPost();
    expect(post.channel).toBe('C0PLATFORM');
    expect(blockById(post, 'alert_header')?.text?.text).toBe(
      '[MEDIUM] Command executed inside a pod in kube-system namespace on EKS Cluster prod-cluster.',
    );
    expect(fields(post, 'alert_where')).toEqual(
      expect.arrayContaining([
        '*Cluster*\n`prod-cluster`',
        '*Namespace*\n`kube-system`',
        '*Pod*\n`aws-node-7xk2p`',
      ]),
    );
    expect(fields(post, 'alert_who')).toEqual([
      '*Actor*\n`assumed-role/DevOpsRole/jdoe`',
      '*Source IP*\n`198.51.100.23`',
      '*User agent*\n`kubectl/v1.29.3 (darwin/arm64) kubernetes/6813625`',
    ]);
  });

  it('alerts on a runtime new binary with node, process and file evidence', async () => {
    await handle(loadFixture('guardduty-eks-runtime-new-binary-executed.json'));

    const post = onlyPost();
    expect(post.channel).toBe('C0ALERTS');
    expect(fields(post, 'alert_where')).toEqual(
      expect.arrayContaining([
        '*Namespace*\n`payments`',
        '*Pod*\n`payments-api-6d9f7b8c5-x2k4p`',
        '*Node*\n`ip-10-0-12-34.ec2.internal`',
      ]),
    );
    const evidence = blockById(post, 'alert_evidence')?.text?.text ?? '';
    expect(evidence).toContain('• Process: `/tmp/xmrig` (user `root`, pid 30299)');
    expect(evidence).toContain('• File: `/tmp/xmrig`');
    expect(evidence).toContain('|Execution:Runtime/NewBinaryExecuted>');
    expect(buttons(post).map((b) => b.id)).toContain('isolate_pod');
  });

  it('alerts on a sample Tor caller, marked [sample], and warns that the cluster is not configured', async () => {
    await handle(loadFixture('guardduty-eks-discovery-tor-ip-caller.json'));

    const post = onlyPost();
    expect(blockById(post, 'alert_header')?.text?.text).toBe(
      '[sample] [MEDIUM] Kubernetes API commonly used in Discovery tactics invoked from a Tor exit node IP address.',
    );
    expect(fields(post, 'alert_who')).toContain('*Source IP*\n`175.16.199.1`');
    expect(buttons(post).map((b) => b.id)).toEqual(['run_audit', 'acknowledge', 'suppress']);
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        attributes: expect.objectContaining({ cluster: 'GeneratedFindingEKSClusterName' }),
      }),
    );
  });

  it('mentions the on-call group on a critical finding', async () => {
    await handle(
      fixtureWith('guardduty-eks-runtime-new-binary-executed.json', { detail: { severity: 9.5 } }),
    );

    const post = onlyPost();
    expect(String(post.text).startsWith('<!subteam^S0ONCALL> [CRITICAL]')).toBe(true);
    expect(blockById(post, 'alert_summary')?.text?.text.startsWith('<!subteam^S0ONCALL> ')).toBe(true);
  });

  it('ignores a finding about an EC2 instance, logs the reason and posts nothing', async () => {
    const event = fixtureWith('guardduty-eks-runtime-new-binary-executed.json', {
      detail: { resource: { resourceType: 'Instance' } },
    });

    const result = await handle(event);

    expect(result).toEqual({ status: 'ignored', reason: expect.stringContaining('"Instance"') });
    expect(logs).toContainEqual({
      level: 'info',
      message: 'GuardDuty finding ignored',
      attributes: { reason: expect.stringContaining('not an EKS cluster') },
    });
    expect(slack.calls).toEqual([]);
  });

  it('fails on a malformed event with an error naming the missing field, posting nothing', async () => {
    const event = loadFixture<{ detail: Record<string, unknown> }>(
      'guardduty-eks-exec-in-kube-system-pod.json',
    );
    delete event.detail.type;

    const failure = handle(event);

    await expect(failure).rejects.toBeInstanceOf(InvalidEventError);
    await expect(failure).rejects.toThrow(/"detail\.type".*missing/);
    expect(logs).toContainEqual(
      expect.objectContaining({ level: 'error', message: 'GuardDuty event rejected' }),
    );
    expect(slack.calls).toEqual([]);
  });

  it('delivers a hostile pod name escaped', async () => {
    const hostile = '<!channel> <https://evil.example|click>';
    const event = fixtureWith('guardduty-eks-exec-in-kube-system-pod.json', {
      detail: {
        resource: { kubernetesDetails: { kubernetesWorkloadDetails: { name: hostile } } },
        service: { action: { kubernetesApiCallAction: { resourceName: hostile } } },
      },
    });

    await handle(event);

    const post = onlyPost();
    expect(fields(post, 'alert_where')).toContain(
      '*Pod*\n`&lt;!channel&gt; &lt;https://evil.example|click&gt;`',
    );
    const wire = JSON.stringify({ text: post.text, blocks: post.blocks });
    expect(wire).not.toContain('<!channel>');
    expect(wire).not.toContain('<https://evil');
  });

  it('honours a Slack rate limit (429 Retry-After) and posts the alert once', async () => {
    slack.failNext({ status: 429, retryAfter: 3 });

    const result = await handle(loadFixture('guardduty-eks-exec-in-kube-system-pod.json'));

    expect(result).toMatchObject({ status: 'stored', toDeliver: true });
    expect(timers.sleeps).toContain(3000);
    expect(slack.calls.map((c) => c.status)).toEqual([429, 200]);
    expect(slack.successful('chat.postMessage')).toHaveLength(1);
  });

  it('keeps the finding when Slack keeps failing with 500 and delivers it on a later run', async () => {
    slack.failNext({ status: 500, count: 4 });
    const event = loadFixture('guardduty-eks-exec-in-kube-system-pod.json');

    const result = await handle(event);

    expect(result).toMatchObject({ status: 'stored', toDeliver: true });
    const fingerprint = result.status === 'stored' ? result.fingerprint : '';
    expect((await store.get(fingerprint))?.delivery).toMatchObject({ state: 'pending', attempts: 1 });
    expect(slack.successful('chat.postMessage')).toHaveLength(0);
    timers.advance(60_000);
    expect(await deliver()).toMatchObject({ delivered: 1, pending: 0 });
    expect(slack.successful('chat.postMessage')).toHaveLength(1);
    expect((await store.get(fingerprint))?.slack?.channel).toBe('C0PLATFORM');
  });

  it('treats a redelivered GuardDuty event as one occurrence and posts nothing more', async () => {
    const event = loadFixture('guardduty-eks-exec-in-kube-system-pod.json');
    await handle(event);

    const again = await handle(event);

    expect(again).toMatchObject({ status: 'stored', newOccurrence: false, toDeliver: false });
    expect(slack.successful('chat.postMessage')).toHaveLength(1);
    expect(slack.successful('chat.update')).toHaveLength(0);
  });

  it('updates the alert in place when GuardDuty re-emits the finding with a higher count', async () => {
    await handle(loadFixture('guardduty-eks-exec-in-kube-system-pod.json'));
    const revised = fixtureWith('guardduty-eks-exec-in-kube-system-pod.json', {
      detail: { updatedAt: '2024-05-14T10:00:00.000Z', service: { count: 4 } },
    });

    const result = await handle(revised);
    // Counts are refreshed at most every 30 seconds per message; a later delivery run brings it up to date.
    timers.advance(30_000);
    await deliver();

    expect(result).toMatchObject({ newOccurrence: true });
    expect(slack.successful('chat.postMessage').filter((p) => p.thread_ts === undefined)).toHaveLength(1);
    const update = slack.successful('chat.update');
    expect(update).toHaveLength(1);
    // The count itself, not any '4' in the message: the first post said once, the update says 4 times.
    const [first] = slack.successful('chat.postMessage').filter((p) => p.thread_ts === undefined);
    expect(seenLine(first ?? {})).toMatch(/^Seen once · first /);
    expect(seenLine(update[0] ?? {})).toMatch(/^Seen 4 times · first /);
    expect((await store.get(result.status === 'stored' ? result.fingerprint : ''))?.occurrences).toBe(4);
  });
});
