import type { DeliveryTrigger } from '../../core/ports.ts';

/**
 * The delivery trigger for one process (the sandbox, tests): a nudge starts a delivery run in the
 * background and returns at once, as an asynchronous Lambda invocation would. Nudges during a run
 * coalesce into one more run after it, as with a delivery function of reserved concurrency 1.
 * `idle()` resolves when no run is in progress or owed.
 */
export class InProcessDeliveryTrigger implements DeliveryTrigger {
  readonly #run: () => Promise<unknown>;
  readonly #onError: (error: unknown) => void;
  #running: Promise<void> | undefined;
  #again = false;
  runs = 0;

  constructor(run: () => Promise<unknown>, onError: (error: unknown) => void = () => {}) {
    this.#run = run;
    this.#onError = onError;
  }

  async nudge(): Promise<void> {
    if (this.#running !== undefined) {
      this.#again = true;
      return;
    }
    this.#running = this.#loop();
  }

  async idle(): Promise<void> {
    while (this.#running !== undefined) await this.#running;
  }

  async #loop(): Promise<void> {
    try {
      do {
        this.#again = false;
        this.runs += 1;
        try {
          await this.#run();
        } catch (error) {
          // A failed run is like a failed invocation: the next nudge or the schedule runs again.
          this.#onError(error);
        }
      } while (this.#again);
    } finally {
      this.#running = undefined;
    }
  }
}
