import type { ClaimOutcome, DigestSendLedger, SendKey, SendState } from '../../core/digest/ledger.ts';
import type { PostureFactsStore } from '../../core/digest/ports.ts';
import type { PostureFacts } from '../../core/digest/posture-facts.ts';
import type { DigestSubscription, DigestSubscriptionStore } from '../../core/digest/subscriptions.ts';

/**
 * The digest stores in memory (the CLI, the sandbox, unit tests). They keep the DynamoDB adapters'
 * semantics exactly — test/integration/digest-stores-contract.test.ts runs both — and copy on the way
 * in and out, so a caller never shares state with the store.
 */
export class InMemoryDigestSubscriptions implements DigestSubscriptionStore {
  readonly #items = new Map<string, DigestSubscription>();

  async put(subscription: DigestSubscription): Promise<boolean> {
    const key = `${subscription.owner}#${subscription.id}`;
    if (this.#items.has(key)) return false;
    this.#items.set(key, structuredClone(subscription));
    return true;
  }

  async remove(owner: string, id: string): Promise<boolean> {
    return this.#items.delete(`${owner}#${id}`);
  }

  async listByOwner(owner: string): Promise<DigestSubscription[]> {
    return (await this.listAll())
      .filter((subscription) => subscription.owner === owner)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  async listAll(): Promise<DigestSubscription[]> {
    return [...this.#items.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, subscription]) => structuredClone(subscription));
  }
}

interface LedgerItem extends SendState {
  state: 'claimed' | 'sent';
  leaseUntil: string;
  sentAt?: string;
}

export class InMemoryDigestLedger implements DigestSendLedger {
  readonly #items = new Map<string, LedgerItem>();

  async isSent(key: SendKey): Promise<boolean> {
    return this.#items.get(keyOf(key))?.state === 'sent';
  }

  async claim(key: SendKey, owner: string, at: string, leaseUntil: string): Promise<ClaimOutcome> {
    const current = this.#items.get(keyOf(key));
    if (current?.state === 'sent') return { claimed: false, why: 'sent' };
    if (current !== undefined && Date.parse(current.leaseUntil) > Date.parse(at)) {
      return { claimed: false, why: 'busy', until: current.leaseUntil };
    }
    const next: LedgerItem = {
      ...(current ?? { attempts: 0 }),
      state: 'claimed',
      owner,
      leaseUntil,
      attempts: (current?.attempts ?? 0) + 1,
    };
    this.#items.set(keyOf(key), next);
    return { claimed: true, state: stateOf(next) };
  }

  async record(
    key: SendKey,
    owner: string,
    change: Partial<Pick<SendState, 'postAttemptedAt' | 'posted' | 'chartShared'>>,
  ): Promise<boolean> {
    const current = this.#items.get(keyOf(key));
    if (current?.state !== 'claimed' || current.owner !== owner) return false;
    this.#items.set(keyOf(key), { ...current, ...structuredClone(change) });
    return true;
  }

  async sent(key: SendKey, owner: string, at: string): Promise<boolean> {
    const current = this.#items.get(keyOf(key));
    if (current?.state !== 'claimed' || current.owner !== owner) return false;
    this.#items.set(keyOf(key), { ...current, state: 'sent', sentAt: at });
    return true;
  }

  async release(key: SendKey, owner: string, at: string): Promise<void> {
    const current = this.#items.get(keyOf(key));
    if (current?.state !== 'claimed' || current.owner !== owner) return;
    this.#items.set(keyOf(key), { ...current, leaseUntil: at });
  }
}

export class InMemoryPostureFacts implements PostureFactsStore {
  readonly #items = new Map<string, PostureFacts>();

  async put(facts: PostureFacts): Promise<void> {
    const current = this.#items.get(facts.cluster);
    if (current !== undefined && Date.parse(current.takenAt) > Date.parse(facts.takenAt)) return;
    this.#items.set(facts.cluster, structuredClone(facts));
  }

  async latest(cluster: string): Promise<PostureFacts | undefined> {
    const found = this.#items.get(cluster);
    return found === undefined ? undefined : structuredClone(found);
  }
}

function keyOf(key: SendKey): string {
  return `${key.subscriptionId}#${key.period}`;
}

function stateOf(item: LedgerItem): SendState {
  const state: SendState = { owner: item.owner, attempts: item.attempts };
  if (item.postAttemptedAt !== undefined) state.postAttemptedAt = item.postAttemptedAt;
  if (item.posted !== undefined) state.posted = { ...item.posted };
  if (item.chartShared !== undefined) state.chartShared = item.chartShared;
  return state;
}
