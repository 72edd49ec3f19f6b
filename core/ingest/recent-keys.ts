/**
 * A set that remembers at least the last `capacity` keys added, and at most twice as many: two
 * generations, the older dropped whole when the newer fills. The CLI streams exports of any size
 * through one analyzer (issue 14); the (request, rule) keys it deduplicates on would otherwise grow
 * with the input (~35 MB per GB of audit log). The duplicates it exists for — the stages of one
 * request (ResponseStarted, ResponseComplete), an event delivered twice — sit seconds apart in a
 * time-ordered log, far inside the window.
 */
export class RecentKeys {
  readonly #capacity: number;
  #current = new Set<string>();
  #previous = new Set<string>();

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be a positive integer; received ${capacity}`);
    this.#capacity = capacity;
  }

  has(key: string): boolean {
    return this.#current.has(key) || this.#previous.has(key);
  }

  add(key: string): this {
    this.#current.add(key);
    if (this.#current.size >= this.#capacity) {
      this.#previous = this.#current;
      this.#current = new Set();
    }
    return this;
  }

  /** Keys held now (between capacity - 1 and 2 × capacity once the window has filled). */
  get size(): number {
    return this.#current.size + this.#previous.size;
  }
}
