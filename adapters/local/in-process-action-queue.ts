import type { ActionQueue } from '../../core/chatops/ports.ts';
import { decodeQueuedRequest, encodeQueuedRequest, type QueuedRequest } from '../../core/chatops/requests.ts';
import type { WorkerAttempt } from '../../core/chatops/worker.ts';

/**
 * The action queue of one process (the local bot, tests): an enqueued request runs in the background
 * through the same worker function the SQS-triggered Lambda runs, after the listener has acked. A
 * request the worker asks to retry runs again, up to `maxAttempts` (SQS's maxReceiveCount), and then
 * lands in `deadLetters`. The body goes through the same encoding as on SQS. `idle()` resolves when
 * nothing is queued or running.
 */
export class InProcessActionQueue implements ActionQueue {
  readonly #run: (request: QueuedRequest, attempt: WorkerAttempt) => Promise<'done' | 'retry'>;
  readonly #maxAttempts: number;
  readonly #onError: (error: unknown) => void;
  readonly #pending = new Set<Promise<void>>();
  readonly deadLetters: QueuedRequest[] = [];
  enqueued = 0;

  constructor(
    run: (request: QueuedRequest, attempt: WorkerAttempt) => Promise<'done' | 'retry'>,
    options: { maxAttempts?: number; onError?: (error: unknown) => void } = {},
  ) {
    this.#run = run;
    this.#maxAttempts = options.maxAttempts ?? 3;
    this.#onError = options.onError ?? (() => {});
  }

  async enqueue(request: QueuedRequest): Promise<void> {
    const body = encodeQueuedRequest(request);
    this.enqueued += 1;
    const task = this.#deliver(body).finally(() => this.#pending.delete(task));
    this.#pending.add(task);
  }

  /** Requests queued or running. */
  pending(): number {
    return this.#pending.size;
  }

  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  async #deliver(body: string): Promise<void> {
    // After the caller's ack, as a queue consumer would.
    await new Promise((resolve) => setImmediate(resolve));
    const request = decodeQueuedRequest(body);
    for (let attempt = 1; attempt <= this.#maxAttempts; attempt += 1) {
      try {
        if ((await this.#run(request, { attempt, final: attempt === this.#maxAttempts })) === 'done') return;
      } catch (error) {
        this.#onError(error);
      }
    }
    this.deadLetters.push(request);
  }
}
