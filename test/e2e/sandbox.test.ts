import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../cli/sandbox/index.ts';
import { CONFIRM_REASON_INPUT } from '../../core/slack-views/confirm-modal.ts';
import { launchBrowser, screenshot } from './support/browser.ts';

/**
 * The whole sandbox (`kubeguard start --memory --port 0`, in process) in Debian's chromium: a
 * scenario's alert arrives through the real ingest and delivery handlers, Isolate pod shows its plan
 * and, confirmed with a reason, quarantines the demo cluster's pod; Release restores it; `/k8s audit`
 * posts a report whose details page; `/k8s evidence` stores a pack holding that audit and answers the
 * asker alone; a viewer is denied; a replayed request is refused.
 */
const ALERTS = 'C0SANDBOX1';
const VIEWER = 'U0SANDBOXVWR';
const ADMIN = 'U0SANDBOXADM';
const POD = { namespace: 'shop', name: 'web-hwhrnkc6j4-ttlm2' };

interface KubeList {
  items: { metadata: { name: string; labels?: Record<string, string> } }[];
}

describe('the sandbox in a browser', () => {
  let sandbox: Sandbox;
  let browser: Browser;
  let page: Page;
  let alertTs = '';

  const alert = () => page.locator(`#messages .message[data-ts="${alertTs}"]`);
  const modal = () => page.locator('#modal .dialog');
  const kube = async <T>(path: string): Promise<T> =>
    (await (await fetch(`${sandbox.cluster.kubeServer}${path}`)).json()) as T;
  const quarantinePolicies = async () =>
    (
      await kube<KubeList>(`/apis/networking.k8s.io/v1/namespaces/${POD.namespace}/networkpolicies`)
    ).items.filter((policy) => policy.metadata.labels?.['app.kubernetes.io/managed-by'] === 'kubeguard');
  const podLabels = async () =>
    (
      await kube<{ metadata: { labels?: Record<string, string> } }>(
        `/api/v1/namespaces/${POD.namespace}/pods/${POD.name}`,
      )
    ).metadata.labels;

  /** Confirms the remediation the open modal plans, with a reason; waits until the modal shows the outcome. */
  async function confirmPlan(callbackId: string, reason: string): Promise<string> {
    await page.locator(`#modal .dialog[data-callback-id="${callbackId}"]`).waitFor();
    const reasonBox = modal().locator(`[data-block-id="${CONFIRM_REASON_INPUT.blockId}"] textarea`);
    await reasonBox.waitFor();
    const plan = (await modal().locator('.modal-body').textContent()) ?? '';
    await reasonBox.fill(reason);
    await page.locator('#modal-submit').click();
    return plan;
  }

  beforeAll(async () => {
    sandbox = await startSandbox({ memory: true, port: 0 });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(sandbox.url);
    await page.locator('body[data-ready="true"]').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
  });

  it('plays a scenario: the alert arrives through ingest and delivery, with its buttons', async () => {
    await page.locator('button[data-scenario="exec-into-pod"]').click();
    const posted = page.locator('#messages .message', { hasText: POD.name }).first();
    await posted.waitFor();
    alertTs = String(await posted.getAttribute('data-ts'));

    expect(await alert().locator('.bk-header').textContent()).toContain('Exec / attach into a pod');
    expect(await alert().locator('.bk-actions .bk-button').allTextContents()).toEqual([
      'Isolate pod',
      'Run audit',
      'Acknowledge',
      'Suppress…',
    ]);
    await screenshot(page, 'sandbox-alert');
  });

  it('isolates the pod: the plan, a reason, the verified outcome on the alert and the policy in the cluster', async () => {
    await alert().locator('button[data-action-id="isolate_pod"]').click();
    await page.locator('#confirm-yes', { hasText: 'Show the plan' }).click();
    await modal().locator('.dialog-title', { hasText: 'Isolate pod' }).waitFor();
    const plan = await confirmPlan(
      'confirm_isolate_pod',
      'Shell opened in the web pod by an unknown session',
    );

    expect(plan).toContain('NetworkPolicy');
    expect(plan).toContain(POD.name);
    await alert().locator('.edited').waitFor();
    await alert().getByText('isolation complete').first().waitFor();
    await screenshot(page, 'sandbox-isolated');

    const policies = await quarantinePolicies();
    expect(policies).toHaveLength(1);
    const id = policies[0]?.metadata.labels?.['kubeguard.io/quarantine'] ?? '';
    expect(policies[0]?.metadata.name).toBe(`kubeguard-quarantine-${id}`);
    expect(await podLabels()).toEqual({ 'kubeguard.io/quarantine': id });
    await page.locator('#modal-close, #modal .bk-button', { hasText: 'Close' }).first().click();
  });

  it('releases the pod: its labels come back and the quarantine policy goes', async () => {
    await alert().locator('button[data-action-id="release_pod"]').click();
    await modal().locator('.dialog-title', { hasText: 'Release pod' }).waitFor();
    await confirmPlan('confirm_release_pod', 'Checked the session: it was the on-call engineer');

    await alert()
      .getByText(/released/i)
      .first()
      .waitFor();
    await expect.poll(quarantinePolicies).toEqual([]);
    expect(await podLabels()).toEqual({ app: 'web', tier: 'frontend', 'pod-template-hash': 'hwhrnkc6j4' });
    await page.locator('#modal .bk-button', { hasText: 'Close' }).first().click();
    await screenshot(page, 'sandbox-released');
  });

  it('denies a viewer with an explanation only they see', async () => {
    await page.locator('#user').selectOption(VIEWER);
    await alert().locator('button[data-action-id="acknowledge"]').click();
    const denial = page.locator('#messages .message.ephemeral', { hasText: 'responder' }).last();
    await denial.waitFor();

    expect(await denial.locator('.ephemeral-note').textContent()).toBe('Only visible to you');
    expect(await denial.textContent()).toContain('viewer');
    await screenshot(page, 'sandbox-denied');
    await page.locator('#user').selectOption(ADMIN);
  });

  it('runs /k8s audit: the report is posted and Show details pages through the checks', async () => {
    await page.locator('#composer-input').fill('/k8s audit');
    await page.locator('#composer button[type="submit"]').click();
    const details = page.locator('#messages button[data-action-id="audit_details"]').last();
    await details.waitFor({ timeout: 20_000 });
    await details.click();
    await modal().locator('button[data-action-id="audit_details_next"]').waitFor({ timeout: 10_000 });
    const first = await modal().locator('.modal-body').textContent();
    await modal().locator('button[data-action-id="audit_details_next"]').click();
    await expect.poll(async () => modal().locator('.modal-body').textContent()).not.toBe(first);
    expect(await modal().locator('.modal-body').textContent()).toContain('KP-');
    await screenshot(page, 'sandbox-audit-details');
  });

  it('builds an evidence pack of today with /k8s evidence: the archive is stored and its SHA-256 given to the asker alone', async () => {
    // The audit's details are still open: close them first.
    await page.locator('#modal-close').click();
    await page.locator('#modal').waitFor({ state: 'hidden' });
    const today = new Date().toISOString().slice(0, 10);
    await page
      .locator('#composer-input')
      .fill(`/k8s evidence --from ${today} --to ${today} --framework soc2`);
    await page.locator('#composer button[type="submit"]').click();
    const answer = page.locator('#messages .message', { hasText: 'Archive SHA-256' }).last();
    await answer.waitFor({ timeout: 30_000 });
    const text = (await answer.textContent()) ?? '';
    expect(text).toContain('Only visible to you');
    expect(text).toContain(`Evidence pack ${today} to ${today}`);
    // The audit just run is the period's evidence: SOC 2's controls mapped to its checks have some.
    expect(text).toMatch(/SOC 2 \(2017 TSC\) — 8 controls: [1-8] with evidence/);
    const sha = /Archive SHA-256:\s*([0-9a-f]{64})/.exec(text)?.[1];
    const location = /Archive:\s*(\/\S+?\.tar\.gz)/.exec(text)?.[1] ?? '';
    expect(location.startsWith(join(sandbox.dataDir, 'evidence', 'evidence-packs'))).toBe(true);
    expect(createHash('sha256').update(readFileSync(location)).digest('hex')).toBe(sha);
    await screenshot(page, 'sandbox-evidence');
  });

  it('refuses a replayed request: the same signed bytes sent twice', async () => {
    const secret = sandbox.signingSecret?.value ?? '';
    const body = new URLSearchParams({
      token: 'sandbox-verification-token',
      team_id: 'T0SANDBOX',
      channel_id: ALERTS,
      user_id: ADMIN,
      user_name: 'alice',
      command: '/k8s',
      text: 'help',
      response_url: `${sandbox.url}api/sandbox/response/replay-test`,
      trigger_id: '1.2.replay',
      api_app_id: 'A0KUBEGUARD',
    }).toString();
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
    const send = () =>
      fetch(String(sandbox.botEventsUrl), {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'X-Slack-Request-Timestamp': timestamp,
          'X-Slack-Signature': signature,
        },
        body,
      });

    expect((await send()).status).toBe(200);
    expect((await send()).status).toBe(401);
  });
});
