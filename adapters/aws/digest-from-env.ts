import type { DigestSendLedger } from '../../core/digest/ledger.ts';
import type { DigestSources, PostureFactsStore } from '../../core/digest/ports.ts';
import { digestSourcesOver } from '../../core/digest/sources.ts';
import type { DigestSubscriptionStore } from '../../core/digest/subscriptions.ts';
import type { FunctionEnvironment } from '../config/env.ts';
import { DynamoAuditHistoryStore } from './audit-history-store.ts';
import { DynamoAuditTrailStore } from './audit-trail-store.ts';
import { DynamoDigestLedger, DynamoDigestSubscriptions, DynamoPostureFacts } from './digest-stores.ts';
import { DynamoFindingStore } from './findings-store.ts';
import { kubeguardTableFromEnv } from './kubeguard-table.ts';
import { DynamoNotRunningImages } from './not-running-images.ts';

/** The digest's stores and sources on the kubeguard table the environment names. */
export function digestStoresFromEnv(environment: FunctionEnvironment): {
  subscriptions: DigestSubscriptionStore;
  ledger: DigestSendLedger;
  facts: PostureFactsStore;
  sources: DigestSources;
} {
  const table = kubeguardTableFromEnv(environment);
  const options = { client: table.client, tableName: table.tableName };
  const facts = new DynamoPostureFacts(options);
  return {
    subscriptions: new DynamoDigestSubscriptions(options),
    ledger: new DynamoDigestLedger(options),
    facts,
    sources: digestSourcesOver({
      history: new DynamoAuditHistoryStore(options),
      findings: new DynamoFindingStore({ ...options, nowSeconds: () => Math.floor(Date.now() / 1000) }),
      trail: new DynamoAuditTrailStore(options),
      facts,
      images: new DynamoNotRunningImages(options),
    }),
  };
}
