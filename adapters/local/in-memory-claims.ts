import type { ClaimStore } from '../../core/chatops/ports.ts';

/**
 * ClaimStore in one process (local runs, tests): the contract of adapters/aws/replay-claims.ts —
 * one holder per key until its claim expires, an early release — with the same suite
 * (test/integration/claim-store-contract.test.ts). Expired claims are swept as new ones arrive.
 */
export class InMemoryClaimStore implements ClaimStore {
  readonly #until = new Map<string, number>();

  async claim(key: string, nowMs: number, ttlSeconds: number): Promise<boolean> {
    const until = this.#until.get(key);
    if (until !== undefined && until > nowMs) return false;
    this.#until.set(key, nowMs + ttlSeconds * 1000);
    if (this.#until.size % 1024 === 0) this.#sweep(nowMs);
    return true;
  }

  async release(key: string): Promise<void> {
    this.#until.delete(key);
  }

  /** Claims held now (for tests). */
  size(): number {
    return this.#until.size;
  }

  #sweep(nowMs: number): void {
    for (const [key, until] of this.#until) if (until <= nowMs) this.#until.delete(key);
  }
}
