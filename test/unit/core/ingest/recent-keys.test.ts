import { describe, expect, it } from 'vitest';
import { RecentKeys } from '#core/ingest/recent-keys.ts';

describe('RecentKeys (bounded deduplication of a stream)', () => {
  it('remembers at least the last `capacity` keys and never more than twice as many', () => {
    const keys = new RecentKeys(3);
    for (const key of ['a', 'b', 'c', 'd', 'e']) keys.add(key);

    // a, b, c filled the first generation; d, e are the second.
    expect(['a', 'b', 'c', 'd', 'e'].map((key) => keys.has(key))).toEqual([true, true, true, true, true]);
    keys.add('f'); // the second generation fills: a, b, c are forgotten
    expect(['a', 'b', 'c', 'd', 'e', 'f', 'z'].map((key) => keys.has(key))).toEqual([
      false,
      false,
      false,
      true,
      true,
      true,
      false,
    ]);
    expect(keys.size).toBe(3);
  });

  it('stays bounded over a million distinct keys', () => {
    const keys = new RecentKeys(1000);
    let largest = 0;
    for (let i = 0; i < 1_000_000; i++) {
      keys.add(`key-${i}`);
      largest = Math.max(largest, keys.size);
    }

    expect(largest).toBe(1999);
    expect(keys.has('key-999999')).toBe(true);
    expect(keys.has('key-999000')).toBe(true);
    expect(keys.has('key-998999')).toBe(false);
    expect(keys.has('key-0')).toBe(false);
  });

  it('refuses a capacity that is not a positive integer, naming it', () => {
    expect(() => new RecentKeys(0)).toThrow('capacity must be a positive integer; received 0');
  });
});
