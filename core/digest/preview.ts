import type { Suppression } from '../detection/config.ts';
import type { SlackMessage } from '../slack-views/blocks.ts';
import { buildDigestMessage } from '../slack-views/digest.ts';
import { renderTrendChart, type TrendChart } from './chart.ts';
import type { DigestContent } from './content.ts';
import { gatherDigest } from './gather.ts';
import type { DigestSources } from './ports.ts';
import { periodEndingAt } from './schedule.ts';
import type { DigestFrequency } from './subscriptions.ts';

/**
 * `/k8s digest preview [weekly|daily] [CLUSTER|all]`: the digest as it would be sent now, for the
 * period ending now — its figures, its Slack message and its chart (SVG; the caller rasterizes and
 * uploads it, or shows the message alone).
 */
export interface DigestPreview {
  content: DigestContent;
  message: SlackMessage;
  chart: TrendChart;
}

export async function previewDigest(
  sources: DigestSources,
  request: { frequency: DigestFrequency; cluster?: string },
  context: { at: string; clusters: readonly string[]; suppressions: readonly Suppression[] },
): Promise<DigestPreview> {
  const clusters = request.cluster === undefined ? context.clusters : [request.cluster];
  const content = await gatherDigest(sources, periodEndingAt(request.frequency, context.at), {
    clusters,
    suppressions: context.suppressions,
  });
  return {
    content,
    message: buildDigestMessage(content, { chart: true }),
    chart: renderTrendChart(content.clusters),
  };
}
