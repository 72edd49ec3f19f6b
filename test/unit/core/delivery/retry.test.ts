import { describe, expect, it } from 'vitest';
import {
  ChannelPacer,
  DEFAULT_RETRY_POLICY,
  DeliveryFailed,
  withSlackRetries,
} from '../../../../core/delivery/retry.ts';
import { KubeguardError } from '../../../../core/errors.ts';
import { ManualTimers } from '../../../support/fake-timers.ts';

const rateLimited = (seconds: number) =>
  new KubeguardError('RATE_LIMITED', 'ratelimited', { details: { retryAfterSeconds: seconds } });
const serverError = () => new KubeguardError('UPSTREAM', 'HTTP 500', { details: { status: 500 } });

function failingTimes(errors: Error[], value = 'ok') {
  let calls = 0;
  const call = async () => {
    calls += 1;
    const error = errors.shift();
    if (error) throw error;
    return value;
  };
  return { call, calls: () => calls };
}

describe('withSlackRetries', () => {
  it('waits exactly as long as Retry-After says, then succeeds', async () => {
    const timers = new ManualTimers();
    const { call, calls } = failingTimes([rateLimited(7)]);
    await expect(withSlackRetries(call, DEFAULT_RETRY_POLICY, timers)).resolves.toBe('ok');
    expect(timers.sleeps).toEqual([7000]);
    expect(calls()).toBe(2);
  });

  it('backs off exponentially on server errors', async () => {
    const timers = new ManualTimers();
    const { call } = failingTimes([serverError(), serverError(), serverError()]);
    await withSlackRetries(call, DEFAULT_RETRY_POLICY, timers);
    expect(timers.sleeps).toEqual([500, 1000, 2000]);
  });

  it('gives up after the last attempt with the cause attached', async () => {
    const timers = new ManualTimers();
    const { call, calls } = failingTimes([serverError(), serverError(), serverError(), serverError()]);
    const failure = await withSlackRetries(call, DEFAULT_RETRY_POLICY, timers).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DeliveryFailed);
    expect((failure as DeliveryFailed).error.code).toBe('UPSTREAM');
    expect(calls()).toBe(4);
  });

  it('leaves a long Retry-After to the sweeper instead of blocking the function', async () => {
    const timers = new ManualTimers();
    const { call, calls } = failingTimes([rateLimited(120)]);
    const failure = (await withSlackRetries(call, DEFAULT_RETRY_POLICY, timers).catch(
      (e: unknown) => e,
    )) as DeliveryFailed;
    expect(failure.retryAfterSeconds).toBe(120);
    expect(timers.sleeps).toEqual([]);
    expect(calls()).toBe(1);
  });

  it('does not retry errors that retrying cannot fix', async () => {
    const timers = new ManualTimers();
    const { call, calls } = failingTimes([new KubeguardError('FORBIDDEN', 'invalid_auth')]);
    await expect(withSlackRetries(call, DEFAULT_RETRY_POLICY, timers)).rejects.toBeInstanceOf(DeliveryFailed);
    expect(calls()).toBe(1);
  });
});

describe('ChannelPacer', () => {
  it('keeps messages to one channel a second apart and other channels independent', async () => {
    const timers = new ManualTimers();
    const pacer = new ChannelPacer(timers);
    await pacer.wait('C1');
    await pacer.wait('C1');
    await pacer.wait('C2');
    await pacer.wait('C1');
    expect(timers.sleeps).toEqual([1000, 1000]);
  });
});
