import type { Timers } from '../../core/delivery/retry.ts';

/** A manual clock: sleep advances time instantly and records how long each wait was. */
export class ManualTimers implements Timers {
  nowMsValue: number;
  readonly sleeps: number[] = [];

  constructor(startIso = '2026-11-28T10:00:00.000Z') {
    this.nowMsValue = Date.parse(startIso);
  }

  nowMs = (): number => this.nowMsValue;
  nowIso = (): string => new Date(this.nowMsValue).toISOString();

  sleep = async (ms: number): Promise<void> => {
    this.sleeps.push(ms);
    this.nowMsValue += ms;
  };

  advance(ms: number): void {
    this.nowMsValue += ms;
  }
}
