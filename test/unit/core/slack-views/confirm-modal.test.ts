import { describe, expect, it } from 'vitest';
import { KubeguardError } from '#core/errors.ts';
import { cordonNode } from '#core/remediation/cordon-node.ts';
import { isolatePod } from '#core/remediation/isolate-pod.ts';
import type { KubeObject } from '#core/remediation/kube-objects.ts';
import { releasePod } from '#core/remediation/release-pod.ts';
import { createRotateSecretAction } from '#core/remediation/rotate-secret.ts';
import { validateBlockKitView } from '#core/slack-views/blocks.ts';
import {
  buildConfirmModal,
  buildPlanningErrorModal,
  buildPlanningModal,
  CONFIRM_REASON_INPUT,
  readConfirmSubmission,
  type SubmittedView,
} from '#core/slack-views/confirm-modal.ts';
import { type ConfirmReference, parseConfirmReference } from '#core/slack-views/ids.ts';
import { describedSecret, FakeSecretRotator } from '#test/support/fake-secret-rotator.ts';
import { ManualTimers } from '#test/support/fake-timers.ts';
import { loadFixture } from '#test/support/fixtures.ts';
import { InMemoryKube } from '#test/support/in-memory-kube.ts';
import { InMemoryRotationClaims } from '#test/support/in-memory-rotation-claims.ts';
import { actionContext, awsNode, dnsEgressPolicy, NODE, SUSPECT } from '#test/support/remediation-cluster.ts';
import { secretConsumerObjects } from '#test/support/secret-consumer-objects.ts';
import { isolationPreflight, ready, shop, textOf } from './views-support.ts';

const FP = '3f2a9c1e5b7d4a6c8e0f1a2b3c4d5e6f';
const REFERENCE: ConfirmReference = {
  r: 'req-7f3a',
  a: 'isolate-pod',
  fp: FP,
  c: 'prod',
  t: `shop/${SUSPECT}`,
};

describe('confirmation modal of isolate pod (the real plan on the shop cluster)', () => {
  it('names the target, the capture first, every write in order, what keeps running and the warnings', async () => {
    const preflight = await isolationPreflight(shop((objects) => [...objects, dnsEgressPolicy()]));
    const modal = buildConfirmModal({ preflight, reference: REFERENCE, cluster: 'prod' });

    expect(modal.callback_id).toBe('confirm_isolate_pod');
    expect(modal.title.text).toBe('Confirm: Isolate pod');
    expect(modal.submit?.text).toBe('Isolate');
    expect(modal.close?.text).toBe('Cancel');
    expect(modal.blocks.map((b) => b.block_id)).toEqual([
      'confirm_target',
      'confirm_summary',
      'confirm_capture',
      'confirm_changes',
      'confirm_effects',
      'confirm_warnings',
      'confirm_reason',
      'confirm_footer',
    ]);
    expect(textOf(modal.blocks, 'confirm_target')).toBe(
      '*Isolate pod* Pod `shop/web-5cdcc99dbf-rgw6z` on cluster `prod`',
    );
    expect(textOf(modal.blocks, 'confirm_changes')).toBe(
      [
        '*Changes, in this order* (creates 1, patches 2, deletes 0)',
        '1. *Patch* Pod `shop/web-5cdcc99dbf-rgw6z` — label the pod for its quarantine policy and record what kubeguard changes, so release or a retry can finish from the cluster (only if the pod is still the one planned, unchanged)',
        '2. *Create* NetworkPolicy `shop/kubeguard-quarantine-q1` — deny all ingress and egress of pods labelled kubeguard.io/quarantine=q1',
        '3. *Patch* Pod `shop/web-5cdcc99dbf-rgw6z` — detach the pod from Service web, ReplicaSet web-5cdcc99dbf by removing app, pod-template-hash',
      ].join('\n'),
    );
    const capture = textOf(modal.blocks, 'confirm_capture').split('\n');
    expect(capture[0]).toBe(
      '*First, before any change:* a forensic bundle `pods/shop/web-5cdcc99dbf-rgw6z/20240501t100000z-q1` is stored. If it cannot be stored, nothing is changed.',
    );
    expect(capture).toContain(
      '• logs/&lt;container&gt;.log and logs/&lt;container&gt;.previous.log: every container, current and previous instance',
    );
    expect(capture).toHaveLength(9);
    const effects = textOf(modal.blocks, 'confirm_effects').split('\n');
    expect(effects).toContain('• Deployment shop/web: 3 replicas, 3 ready');
    expect(effects).toContain(
      '• ReplicaSet web-5cdcc99dbf releases the pod and creates a replacement, so the workload keeps its replica count',
    );
    expect(effects).toContain(
      '• PodDisruptionBudget shop/web (minAvailable 2; healthy 3 of 3 expected; 1 disruption allowed): the pod stops counting toward it until a replacement is ready; isolation evicts nothing, so the budget does not block it',
    );
    expect(effects.at(-1)).toBe(
      '• expected after isolation: partial: shop/allow-dns-egress still allows egress to all pods in namespaces kubernetes.io/metadata.name=kube-system (today: kube-system/coredns-6d4b75cb6d-8kx2q) on UDP/53',
    );
    expect(validateBlockKitView(modal)).toEqual([]);
  });

  it('asks for a multi-line reason of at least the minimum length', async () => {
    const modal = buildConfirmModal({
      preflight: await isolationPreflight(shop()),
      reference: REFERENCE,
      reasonMinLength: 20,
    });
    const input = modal.blocks.find((b) => b.block_id === CONFIRM_REASON_INPUT.blockId);
    expect(input).toEqual({
      type: 'input',
      block_id: 'confirm_reason',
      label: { type: 'plain_text', text: 'Reason' },
      hint: {
        type: 'plain_text',
        text: "At least 20 characters; recorded with the action in kubeguard's audit trail, with your name.",
      },
      element: {
        type: 'plain_text_input',
        action_id: 'reason',
        multiline: true,
        min_length: 20,
        max_length: 2000,
        placeholder: { type: 'plain_text', text: 'What you saw, and why this action is needed now' },
      },
    });
  });

  it('warns when no NetworkPolicy enforcement is visible', async () => {
    const preflight = await isolationPreflight(
      shop((objects) => objects.map((o) => (o.metadata.name === 'aws-node' ? awsNode(false) : o))),
    );
    const modal = buildConfirmModal({ preflight, reference: REFERENCE });
    expect(textOf(modal.blocks, 'confirm_warnings').split('\n')[1]).toBe(
      '⚠️ no NetworkPolicy enforcement is visible (aws-node runs without its network policy agent enabled; no calico-node; no cilium): policies may be accepted but not enforced — enable network policy on the VPC CNI add-on (enableNetworkPolicy: "true") or isolate the node',
    );
  });

  it('says when a second person must approve, and submits as a request', async () => {
    const modal = buildConfirmModal({
      preflight: await isolationPreflight(shop()),
      reference: REFERENCE,
      approval: { role: 'responder', withinMinutes: 15 },
    });
    expect(modal.submit?.text).toBe('Request approval');
    expect(textOf(modal.blocks, 'confirm_approval')).toBe(
      '*Needs a second approver.* After you submit, someone else with the responder role must approve within 15 minutes. Nothing runs before that; without an approval the request expires.',
    );
    expect(textOf(modal.blocks, 'confirm_footer')).toBe(
      'Planned <!date^1714557600^{date_short_pretty} {time}|2024-05-01T10:00:00.000Z>. Nothing has changed yet: once approved, exactly these steps run; if the objects changed since the plan, they stop and say to plan again. Release pod undoes it.',
    );
  });

  it('carries only the reference in private_metadata: no step, no label, no plan text', async () => {
    const preflight = await isolationPreflight(shop());
    const modal = buildConfirmModal({ preflight, reference: REFERENCE });
    expect(parseConfirmReference(modal.private_metadata ?? '')).toEqual(REFERENCE);
    expect(modal.private_metadata).toBe(
      `{"r":"req-7f3a","a":"isolate-pod","fp":"${FP}","c":"prod","t":"shop/web-5cdcc99dbf-rgw6z"}`,
    );
  });

  it('shows the refusal of a hostNetwork pod and what to do instead, with nothing to submit', async () => {
    const preflight = await isolationPreflight(
      shop((objects) =>
        objects.map((o) =>
          o.metadata.name === SUSPECT ? { ...o, spec: { ...(o.spec as object), hostNetwork: true } } : o,
        ),
      ),
    );
    const modal = buildConfirmModal({ preflight, reference: REFERENCE, cluster: 'prod' });
    expect(modal.submit).toBeUndefined();
    expect(modal.callback_id).toBe('remediation_planning');
    expect(modal.close?.text).toBe('Close');
    expect(textOf(modal.blocks, 'confirm_refusal')).toBe(
      '*Nothing to run; nothing was changed.*\nPod shop/web-5cdcc99dbf-rgw6z uses the host network: NetworkPolicy does not apply to hostNetwork pods, so a quarantine policy would isolate nothing',
    );
    expect(textOf(modal.blocks, 'confirm_instead')).toBe(
      `*Recommended:* isolate the node instead: cordon node ${NODE} (kubeguard cordon-node) and restrict it at the EC2 security group level`,
    );
    expect(validateBlockKitView(modal)).toEqual([]);
  });
});

describe('confirmation modal of the other actions', () => {
  it('release pod: the deletion and the restore, and the warning that the pod may be compromised', async () => {
    const kube = shop((objects) => [...objects, dnsEgressPolicy()]);
    const context = actionContext(kube);
    const isolation = ready(await isolationPreflight(kube));
    await isolatePod.execute(isolation, context);
    const preflight = await releasePod.preflight({ namespace: 'shop', pod: SUSPECT }, context);

    const modal = buildConfirmModal({ preflight, reference: { r: 'req-8', a: 'release-pod' } });

    expect(modal.callback_id).toBe('confirm_release_pod');
    expect(modal.submit?.text).toBe('Release');
    expect(modal.blocks.some((b) => b.block_id === 'confirm_capture')).toBe(false);
    expect(textOf(modal.blocks, 'confirm_changes')).toBe(
      [
        '*Changes, in this order* (creates 0, patches 1, deletes 1)',
        '1. *Delete* NetworkPolicy `shop/kubeguard-quarantine-q1` — remove the deny-all quarantine policy',
        '2. *Patch* Pod `shop/web-5cdcc99dbf-rgw6z` — restore app=web, pod-template-hash=5cdcc99dbf, remove the quarantine label and record, and record the release',
      ].join('\n'),
    );
    expect(textOf(modal.blocks, 'confirm_warnings')).toBe(
      '*Warnings*\n⚠️ the pod was quarantined because it may be compromised: release it only once the investigation cleared it, or delete it instead',
    );
    expect(validateBlockKitView(modal)).toEqual([]);
  });

  it('rotate secret: each consumer write, the Secrets Manager side, the warnings, and that it is not undone', async () => {
    const now = '2026-03-01T12:00:00.000Z';
    const secrets = new FakeSecretRotator(
      describedSecret('describe-secret-rotating', {
        versionStages: {
          'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111': ['AWSPREVIOUS'],
          'a1b2c3d4-5678-90ab-cdef-EXAMPLE22222': ['AWSCURRENT'],
        },
      }),
    );
    const action = createRotateSecretAction({
      secrets,
      claims: new InMemoryRotationClaims(),
      timers: new ManualTimers(now),
    });
    const preflight = await action.preflight(
      { secret: 'MyTestSecret', rotationId: '5d1c4a0e-7b7f-4f0c-9a55-0c9d1e2f3a4b' },
      { ...actionContext(new InMemoryKube(secretConsumerObjects() as KubeObject[])), clock: () => now },
    );

    const modal = buildConfirmModal({
      preflight,
      reference: { r: 'req-10', a: 'rotate-secret', t: 'MyTestSecret' },
    });

    expect(modal.callback_id).toBe('confirm_rotate_secret');
    expect(textOf(modal.blocks, 'confirm_target')).toBe(
      '*Rotate secret* Secrets Manager secret `MyTestSecret`',
    );
    expect(textOf(modal.blocks, 'confirm_summary')).toBe(
      '*What happens*\nRotateSecret MyTestSecret (new version 5d1c4a0e-7b7f-4f0c-9a55-0c9d1e2f3a4b), force-sync 4 ExternalSecrets, restart 6 workloads',
    );
    const changes = textOf(modal.blocks, 'confirm_changes').split('\n');
    expect(changes[0]).toBe('*Changes, in this order* (creates 0, patches 10, deletes 0)');
    expect(changes[1]).toBe(
      '1. *Patch* ExternalSecret `payments/payments-api` — make External Secrets Operator fetch the new version into Secret payments/payments-api-credentials now instead of at its next refresh interval',
    );
    expect(changes[10]).toBe(
      '10. *Patch* DaemonSet `payments/log-shipper` — rolling restart so new pods read the new value (secret volume payments-api-credentials); env vars never refresh in running pods',
    );
    expect(textOf(modal.blocks, 'confirm_warnings').split('\n')[2]).toBe(
      "⚠️ Deployment payments/batch: the Deployment is paused: pods restart only after 'kubectl rollout resume'",
    );
    expect(textOf(modal.blocks, 'confirm_footer')).toMatch(
      / A rotation is not undone: the previous value stays in Secrets Manager as AWSPREVIOUS\.$/,
    );
    expect(validateBlockKitView(modal)).toEqual([]);
  });

  it('cordon node: one patch, and the pods that keep running', async () => {
    const preflight = await cordonNode.preflight({ node: NODE, cordonId: 'c1' }, actionContext(shop()));
    const modal = buildConfirmModal({ preflight, reference: { r: 'req-9', a: 'cordon-node' } });
    expect(modal.callback_id).toBe('confirm_cordon_node');
    expect(textOf(modal.blocks, 'confirm_target')).toBe(`*Cordon node* Node \`${NODE}\``);
    expect(textOf(modal.blocks, 'confirm_effects').split('\n')).toEqual([
      '*What keeps running, what else changes*',
      '• the scheduler places no new pods on the node; nothing is evicted (no drain)',
      '• 1 pod keeps running: shop/web-5cdcc99dbf-rgw6z',
      '• DaemonSet pods tolerate unschedulable nodes: they keep running and come back there if deleted',
      '• a compromised host also needs network isolation (EC2 security group), credential revocation and a volume snapshot: cordoning contains scheduling only',
    ]);
    expect(modal.blocks.some((b) => b.block_id === 'confirm_warnings')).toBe(false);
  });
});

describe('planning modals', () => {
  it('opens at once, saying the plan is being prepared and nothing changes before confirming', () => {
    const modal = buildPlanningModal(REFERENCE, `Pod shop/${SUSPECT}`, 'prod');
    expect(modal).toEqual({
      type: 'modal',
      callback_id: 'remediation_planning',
      title: { type: 'plain_text', text: 'Isolate pod' },
      close: { type: 'plain_text', text: 'Cancel' },
      private_metadata: `{"r":"req-7f3a","a":"isolate-pod","fp":"${FP}","c":"prod","t":"shop/web-5cdcc99dbf-rgw6z"}`,
      blocks: [
        {
          type: 'section',
          block_id: 'planning_status',
          text: {
            type: 'mrkdwn',
            text: ':hourglass_flowing_sand: Preparing the dry-run plan to isolate a pod for Pod `shop/web-5cdcc99dbf-rgw6z` on cluster `prod`. Nothing is changed until you confirm it here.',
          },
        },
      ],
    });
  });

  it('says why the plan could not be made, through the error mapping', () => {
    const modal = buildPlanningErrorModal(
      REFERENCE,
      new KubeguardError(
        'FORBIDDEN',
        'pods "web" is forbidden: User "kubeguard" cannot list networkpolicies',
      ),
    );
    expect(textOf(modal.blocks, 'planning_error')).toBe(
      '*The plan to isolate a pod could not be made; nothing was changed.*\n' +
        '*kubeguard itself was refused.* pods "web" is forbidden: User "kubeguard" cannot list networkpolicies\n' +
        "kubeguard's own Kubernetes role or IAM policy lacks a permission: an admin can compare them with deploy/kubernetes/rbac.yaml and the deployed stack. Reference: `req-7f3a`",
    );
  });
});

describe('reading the confirmation submission (test/fixtures/slack-view-submission.json)', () => {
  /** The real view_submission payload's view, as our confirmation modal would come back. */
  function submitted(changes: Partial<SubmittedView> & { reason?: string | null }): SubmittedView {
    const { view } = loadFixture<{ view: SubmittedView & Record<string, unknown> }>(
      'slack-view-submission.json',
    );
    const { reason = 'exec into web with a reverse shell; contain it now', ...rest } = changes;
    return {
      ...view,
      callback_id: 'confirm_isolate_pod',
      private_metadata: JSON.stringify(REFERENCE),
      state: {
        values: { confirm_reason: { reason: { type: 'plain_text_input', value: reason } } },
      },
      ...rest,
    };
  }

  it('returns the action, the reference and the trimmed reason', () => {
    expect(readConfirmSubmission(submitted({ reason: '  exec into web with a reverse shell  \n' }))).toEqual({
      ok: true,
      action: 'isolate-pod',
      reference: REFERENCE,
      reason: 'exec into web with a reverse shell',
    });
  });

  it('keeps the modal open with a message under the field when the reason is too short or missing', () => {
    const expected = {
      ok: false,
      kind: 'reason',
      response: {
        response_action: 'errors',
        errors: {
          confirm_reason: 'Give a reason of at least 10 characters: it is recorded with the action.',
        },
      },
    };
    expect(readConfirmSubmission(submitted({ reason: 'because  ' }))).toEqual(expected);
    expect(readConfirmSubmission(submitted({ reason: null }))).toEqual(expected);
  });

  it('refuses the fixture view itself and metadata that names another action', () => {
    const { view } = loadFixture<{ view: SubmittedView }>('slack-view-submission.json');
    expect(readConfirmSubmission(view)).toEqual({
      ok: false,
      kind: 'foreign',
      problem: 'callback_id "view-id" is not a confirmation',
    });
    expect(
      readConfirmSubmission(
        submitted({ private_metadata: JSON.stringify({ ...REFERENCE, a: 'release-pod' }) }),
      ),
    ).toEqual({
      ok: false,
      kind: 'foreign',
      problem: 'private_metadata is not a reference kubeguard wrote for this action',
    });
  });
});
