import type { PreflightResult, RemediationPlan } from '#core/remediation/action.ts';
import { type IsolatePodRequest, isolatePod } from '#core/remediation/isolate-pod.ts';
import type { KubeObject } from '#core/remediation/kube-objects.ts';
import type { Block } from '#core/slack-views/blocks.ts';
import { InMemoryKube } from '#test/support/in-memory-kube.ts';
import { actionContext, SUSPECT, shopCluster } from '#test/support/remediation-cluster.ts';

/** Shared by the bot views' tests: plans from the real planners, and ways to read blocks. */

export const ISOLATE_REQUEST: IsolatePodRequest = { namespace: 'shop', pod: SUSPECT, quarantineId: 'q1' };

/** The shop cluster (test/support/remediation-cluster.ts) in memory, optionally edited. */
export function shop(edit: (objects: KubeObject[]) => KubeObject[] = (o) => o): InMemoryKube {
  return new InMemoryKube(edit(shopCluster()));
}

export async function isolationPreflight(
  kube: InMemoryKube,
  request: Partial<IsolatePodRequest> = {},
): Promise<PreflightResult> {
  return isolatePod.preflight({ ...ISOLATE_REQUEST, ...request }, actionContext(kube));
}

export function ready(result: PreflightResult): RemediationPlan {
  if (result.status !== 'ready') throw new Error(`expected a plan, got: ${result.reason}`);
  return result.plan;
}

/** Every mrkdwn and plain_text string of the blocks, in order. */
export function texts(blocks: readonly Block[]): string[] {
  return blocks.flatMap((block) => {
    switch (block.type) {
      case 'section':
        return [block.text?.text ?? '', ...(block.fields ?? []).map((f) => f.text)];
      case 'context':
        return block.elements.map((e) => ('text' in e ? e.text : ''));
      case 'header':
        return [block.text.text];
      case 'input':
        return [
          block.label.text,
          block.hint?.text ?? '',
          ...(block.element.type === 'radio_buttons'
            ? block.element.options.flatMap((o) => [o.text.text, o.description?.text ?? ''])
            : [block.element.placeholder?.text ?? '']),
        ];
      case 'actions':
        return block.elements.map((e) => e.text.text);
      default:
        return [];
    }
  });
}

/** Text of the block with this id (section text, context elements joined by newlines). */
export function textOf(blocks: readonly Block[], blockId: string): string {
  const block = blocks.find((b) => b.block_id === blockId);
  if (block === undefined) throw new Error(`no block ${blockId}`);
  return texts([block]).join('\n');
}

/** What remains of mrkdwn once every code span is removed: the only place formatting could act. */
export function outsideCodeSpans(text: string): string {
  return text.replace(/`[^`\n]*`/g, '');
}
