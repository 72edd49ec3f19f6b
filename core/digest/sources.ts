import type { AuditTrailStore } from '../audit-trail/ports.ts';
import type { AuditRecord } from '../audit-trail/record.ts';
import type { FindingLister } from '../findings/ports.ts';
import type { StoredFinding } from '../findings/stored-finding.ts';
import type { AuditHistoryEntry, AuditHistoryStore } from '../posture/history.ts';
import type { NotRunningImageStore } from '../supply-chain/not-running.ts';
import type { DigestSources, PostureFactsStore } from './ports.ts';
import type { PostureFacts } from './posture-facts.ts';

/** The digest's sources over the deployed stores (the digest function, the bot's preview). */
export function digestSourcesOver(stores: {
  history: Pick<AuditHistoryStore, 'latest'>;
  findings: FindingLister;
  trail: Pick<AuditTrailStore, 'byTime'>;
  facts: Pick<PostureFactsStore, 'latest'>;
  /** The vulnerable images running nowhere (the image-findings function's). @default not shown */
  images?: Pick<NotRunningImageStore, 'countNotRunning'>;
}): DigestSources {
  const images = stores.images;
  return {
    ...(images === undefined ? {} : { vulnerableImagesNotRunning: (range) => images.countNotRunning(range) }),
    history: (cluster, limit) => stores.history.latest(cluster, limit),
    async findings(cluster, limit) {
      const listing = await stores.findings.listFindings({ cluster, limit });
      return { findings: listing.findings, truncated: listing.truncated };
    },
    async trail(range) {
      const records: AuditRecord[] = [];
      let cursor: string | undefined;
      do {
        const page = await stores.trail.byTime({
          ...range,
          limit: 500,
          ...(cursor === undefined ? {} : { cursor }),
        });
        records.push(...page.records);
        cursor = page.cursor;
      } while (cursor !== undefined);
      return records;
    },
    postureFacts: (cluster) => stores.facts.latest(cluster),
  };
}

/** Sources from data in hand (`kubeguard render digest --history FILE`, tests, the bench). */
export function staticDigestSources(data: {
  history: readonly AuditHistoryEntry[];
  findings?: readonly StoredFinding[];
  trail?: readonly AuditRecord[];
  facts?: readonly PostureFacts[];
  /** The count of vulnerable images running nowhere. @default not shown */
  vulnerableImagesNotRunning?: number;
}): DigestSources {
  const idle = data.vulnerableImagesNotRunning;
  return {
    ...(idle === undefined ? {} : { vulnerableImagesNotRunning: async () => idle }),
    async history(cluster, limit) {
      return data.history
        .filter((entry) => entry.cluster === cluster)
        .sort((a, b) => Date.parse(b.takenAt) - Date.parse(a.takenAt))
        .slice(0, limit);
    },
    async findings(cluster, limit) {
      const mine = (data.findings ?? []).filter((finding) => finding.detection.cluster === cluster);
      return { findings: mine.slice(0, limit), truncated: mine.length > limit };
    },
    async trail(range) {
      const from = Date.parse(range.from);
      const to = Date.parse(range.to);
      return (data.trail ?? []).filter((record) => {
        const at = Date.parse(record.at);
        return at >= from && at < to;
      });
    },
    async postureFacts(cluster) {
      return (data.facts ?? []).find((facts) => facts.cluster === cluster);
    },
  };
}
