import { describe, expect, it } from 'vitest';
import { InProcessDeliveryTrigger } from '../../../../adapters/local/in-process-delivery-trigger.ts';

describe('the in-process delivery trigger', () => {
  it('runs delivery in the background and returns at once', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const trigger = new InProcessDeliveryTrigger(() => gate);

    await trigger.nudge();

    expect(trigger.runs).toBe(1);
    release();
    await trigger.idle();
    expect(trigger.runs).toBe(1);
  });

  it('folds the nudges that arrive during a run into one more run, as reserved concurrency 1 would', async () => {
    let calls = 0;
    const trigger = new InProcessDeliveryTrigger(async () => {
      calls += 1;
      await new Promise((resolve) => setImmediate(resolve));
    });

    await trigger.nudge();
    await trigger.nudge();
    await trigger.nudge();
    await trigger.idle();

    expect(calls).toBe(2);
  });

  it('reports a failed run and runs again on the next nudge', async () => {
    const errors: unknown[] = [];
    let fail = true;
    const trigger = new InProcessDeliveryTrigger(
      async () => {
        if (fail) throw new Error('Slack is down');
      },
      (error) => errors.push(error),
    );

    await trigger.nudge();
    await trigger.idle();
    fail = false;
    await trigger.nudge();
    await trigger.idle();

    expect(errors.map((e) => (e as Error).message)).toEqual(['Slack is down']);
    expect(trigger.runs).toBe(2);
  });
});
