import { describe, expect, it } from 'vitest';
import { normalizeGuardDutyEvent } from '#core/guardduty/normalize.ts';
import { openFinding } from '#core/model/finding.ts';
import type { ActionOutcome } from '#core/remediation/action.ts';
import { isolatePod } from '#core/remediation/isolate-pod.ts';
import type { KubeObject } from '#core/remediation/kube-objects.ts';
import { buildAlertMessage } from '#core/slack-views/alert.ts';
import { type ActionsBlock, validateBlockKitMessage } from '#core/slack-views/blocks.ts';
import { parseReleaseValue } from '#core/slack-views/ids.ts';
import { buildOutcomeBlocks, buildOutcomeMessage, withOutcome } from '#core/slack-views/outcome.ts';
import { loadFixture } from '#test/support/fixtures.ts';
import type { InMemoryKube } from '#test/support/in-memory-kube.ts';
import {
  actionContext,
  dnsEgressPolicy,
  InMemoryEvidenceStore,
  SUSPECT,
} from '#test/support/remediation-cluster.ts';
import { isolationPreflight, outsideCodeSpans, ready, shop, textOf } from './views-support.ts';

const FP = '3f2a9c1e5b7d4a6c8e0f1a2b3c4d5e6f';
const RUN_BY = 'Run by <@U024BE7LH> <!date^1714557600^{date_short_pretty} {time}|2024-05-01T10:00:00.000Z>';
const BUNDLE = '`pods/shop/web-5cdcc99dbf-rgw6z/20240501t100000z-q1`';

/** Plans and executes isolate pod on the cluster, with the real action. */
async function isolate(kube: InMemoryKube, evidence = new InMemoryEvidenceStore()): Promise<ActionOutcome> {
  const context = actionContext(kube, evidence);
  return isolatePod.execute(ready(await isolationPreflight(kube)), context);
}

/**
 * An AdminNetworkPolicy that admits ingress from namespaces chosen by a label key no CRD validates:
 * backticks, bold, a channel mention and blank lines.
 */
const HOSTILE_KEY = 'evil.io/`x` *RESOLVED* <!channel>\n\n> quote';
function hostileAdminPolicy(): KubeObject {
  return {
    apiVersion: 'policy.networking.k8s.io/v1alpha1',
    kind: 'AdminNetworkPolicy',
    metadata: { name: 'allow-monitoring' },
    spec: {
      priority: 5,
      subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } },
      ingress: [
        { name: 'scrape', action: 'Allow', from: [{ namespaces: { matchLabels: { [HOSTILE_KEY]: 'v`' } } }] },
      ],
    },
  };
}

describe('outcome of isolate pod (the real action on the shop cluster)', () => {
  it('complete: the verdict, who ran it and when, the forensic bundle, and Release', async () => {
    const outcome = await isolate(shop());
    const blocks = buildOutcomeBlocks({ outcome, finding: { fingerprint: FP }, cluster: 'prod' });

    expect(textOf(blocks, 'outcome_result')).toBe(
      '✅ *Isolate pod* Pod `shop/web-5cdcc99dbf-rgw6z` on `prod`\n*Isolation complete:* no rule lets traffic in or out of the pod.',
    );
    expect(textOf(blocks, 'outcome_meta')).toBe(`${RUN_BY} · forensic bundle ${BUNDLE}`);
    const actions = blocks.find((b) => b.block_id === 'outcome_actions') as ActionsBlock;
    expect(actions.elements).toEqual([
      {
        type: 'button',
        action_id: 'release_pod',
        text: { type: 'plain_text', text: 'Release pod' },
        value: `{"ns":"shop","p":"web-5cdcc99dbf-rgw6z","q":"q1","fp":"${FP}","c":"prod"}`,
      },
    ]);
    expect(parseReleaseValue(actions.elements[0]?.value ?? '')).toEqual({
      fp: FP,
      c: 'prod',
      ns: 'shop',
      p: SUSPECT,
      q: 'q1',
    });
  });

  it('partial: each rule that still allows traffic, its peers, the pods they match today and the ports', async () => {
    const outcome = await isolate(shop((objects) => [...objects, dnsEgressPolicy()]));
    const blocks = buildOutcomeBlocks({
      outcome,
      approvedBy: 'U0APPROVER1',
      reason: 'reverse shell from web',
    });

    expect(textOf(blocks, 'outcome_result')).toBe(
      [
        '⚠️ *Isolate pod* Pod `shop/web-5cdcc99dbf-rgw6z`',
        '*Partial:* these rules still let traffic through:',
        '• `shop/allow-dns-egress` still allows egress to `all pods in namespaces kubernetes.io/metadata.name=kube-system` (today: `kube-system/coredns-6d4b75cb6d-8kx2q`) on `UDP/53`',
      ].join('\n'),
    );
    expect(textOf(blocks, 'outcome_meta')).toBe(
      `${RUN_BY} · approved by <@U0APPROVER1> · reason: reverse shell from web · forensic bundle ${BUNDLE}`,
    );
  });

  it('not verified: names each policy that could not be evaluated', async () => {
    const typo: KubeObject = {
      ...dnsEgressPolicy(),
      metadata: { name: 'typo', namespace: 'shop' },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ too: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }],
      },
    };
    const outcome = await isolate(shop((objects) => [...objects, typo]));

    expect(textOf(buildOutcomeBlocks({ outcome }), 'outcome_result')).toBe(
      [
        '⚠️ *Isolate pod* Pod `shop/web-5cdcc99dbf-rgw6z`',
        '*Not verified:* these policies may apply to the pod but could not be evaluated:',
        '• `NetworkPolicy/shop/typo could not be evaluated (spec.egress[0]: Unrecognized key: "too")`',
      ].join('\n'),
    );
  });

  it('keeps an admin policy selector key that no CRD validates inside its code span', async () => {
    const outcome = await isolate(shop((objects) => [...objects, hostileAdminPolicy()]));
    const message = buildOutcomeMessage({ outcome });
    const result = textOf(message.blocks, 'outcome_result');

    expect(result.split('\n')[2]).toBe(
      "• `AdminNetworkPolicy/allow-monitoring` still allows ingress from `all pods in namespaces evil.io/'x' *RESOLVED* &lt;!channel&gt; &gt; quote=v'` (no known pod matches today) on `any port and protocol`",
    );
    expect(outsideCodeSpans(result)).not.toMatch(/RESOLVED|channel|[<>]/);
    expect(message.text).not.toMatch(/[<>`*]|\n/);
    expect(validateBlockKitMessage(message)).toEqual([]);
  });

  it('failed midway: the mapped error, what is left, the applied steps, and Release to undo them', async () => {
    const kube = shop();
    kube.fail('create NetworkPolicy', 403, 'Forbidden');
    const outcome = await isolate(kube);
    const blocks = buildOutcomeBlocks({ outcome, cluster: 'prod' });

    expect(textOf(blocks, 'outcome_result')).toBe(
      [
        '❌ *Isolate pod failed* Pod `shop/web-5cdcc99dbf-rgw6z` on `prod`',
        '*kubeguard itself was refused.* create NetworkPolicy refused (HTTP 403 Forbidden)',
        "kubeguard's own Kubernetes role or IAM policy lacks a permission: an admin can compare them with deploy/kubernetes/rbac.yaml and the deployed stack.",
        "*What is left, and how to finish:* the pod carries kubeguard.io/quarantine=q1 and kubeguard's kubeguard.io/quarantine record; create NetworkPolicy shop/kubeguard-quarantine-q1 failed: run isolate again to finish from the record, or release the pod to undo what was applied (patch Pod shop/web-5cdcc99dbf-rgw6z)",
        '*Applied before the failure* (1):',
        '• patch Pod `shop/web-5cdcc99dbf-rgw6z`',
      ].join('\n'),
    );
    expect(blocks.some((b) => b.block_id === 'outcome_actions')).toBe(true);
  });

  it('failed before any change: no Release button', async () => {
    const evidence = new InMemoryEvidenceStore();
    evidence.failWith = new Error('S3 PutObject: AccessDenied');
    const outcome = await isolate(shop(), evidence);
    const blocks = buildOutcomeBlocks({ outcome });
    expect(textOf(blocks, 'outcome_result').split('\n').slice(0, 2)).toEqual([
      '❌ *Isolate pod failed* Pod `shop/web-5cdcc99dbf-rgw6z`',
      '*Something went wrong inside kubeguard.*',
    ]);
    expect(blocks.map((b) => b.block_id)).toEqual(['outcome_result', 'outcome_meta']);
  });

  it('skipped: the reason and what to do instead', async () => {
    const kube = shop((objects) =>
      objects.map((o) =>
        o.metadata.name === SUSPECT ? { ...o, spec: { ...(o.spec as object), hostNetwork: true } } : o,
      ),
    );
    const preflight = await isolationPreflight(kube);
    if (preflight.status !== 'skipped') throw new Error('expected the hostNetwork refusal');
    const outcome: ActionOutcome = {
      status: 'skipped',
      action: 'isolate-pod',
      target: preflight.target,
      reason: preflight.reason,
      ...(preflight.recommendation ? { recommendation: preflight.recommendation } : {}),
      at: '2024-05-01T10:00:00Z',
      actor: 'slack:U024BE7LH',
    };
    const blocks = buildOutcomeBlocks({ outcome });
    expect(textOf(blocks, 'outcome_result')).toBe(
      [
        '➖ *Isolate pod: nothing done* Pod `shop/web-5cdcc99dbf-rgw6z`',
        'Pod shop/web-5cdcc99dbf-rgw6z uses the host network: NetworkPolicy does not apply to hostNetwork pods, so a quarantine policy would isolate nothing',
        '*Instead:* isolate the node instead: cordon node ip-10-0-1-23.eu-west-1.compute.internal (kubeguard cordon-node) and restrict it at the EC2 security group level',
      ].join('\n'),
    );
    expect(textOf(blocks, 'outcome_meta')).toBe(RUN_BY);
  });
});

describe('the alert updated with the outcome', () => {
  const finding = (() => {
    const result = normalizeGuardDutyEvent(loadFixture('guardduty-eks-exec-in-kube-system-pod.json'));
    if (result.kind !== 'detection') throw new Error('fixture ignored');
    return openFinding(result.detection, '2024-05-01T09:58:00Z');
  })();
  const guide = { whyItMatters: 'Exec gives a shell.', firstResponse: 'Ask who ran it.' };

  it('puts the outcome right before the alert’s buttons, and replaces an earlier outcome', async () => {
    const alert = buildAlertMessage(finding, guide);
    const first = withOutcome(alert, buildOutcomeBlocks({ outcome: await isolate(shop()) }));
    const ids = first.blocks.map((b) => b.block_id);
    expect(ids.slice(-4)).toEqual(['outcome_result', 'outcome_meta', 'outcome_actions', 'alert_actions']);
    expect(first.text).toBe(alert.text);

    const partial = await isolate(shop((objects) => [...objects, dnsEgressPolicy()]));
    const second = withOutcome(first, buildOutcomeBlocks({ outcome: partial }));
    expect(second.blocks.filter((b) => b.block_id === 'outcome_result')).toHaveLength(1);
    expect(textOf(second.blocks, 'outcome_result')).toContain('*Partial:*');
    expect(second.blocks).toHaveLength(first.blocks.length);
    expect(validateBlockKitMessage(second)).toEqual([]);
  });
});
