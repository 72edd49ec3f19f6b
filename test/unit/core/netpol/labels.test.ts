import { describe, expect, it } from 'vitest';
import { compileSelector, describeSelector } from '#core/netpol/labels.ts';
import type { LabelSelector } from '#core/netpol/types.ts';

function matches(selector: LabelSelector | null | undefined, labels: Record<string, string>): boolean {
  return compileSelector(selector, 'test')(labels);
}

describe('label selectors', () => {
  it('selects everything with an empty selector, a null matchLabels or no selector at all', () => {
    expect(matches({}, { app: 'web' })).toBe(true);
    expect(matches({ matchLabels: null }, {})).toBe(true);
    expect(matches(undefined, { any: 'thing' })).toBe(true);
  });

  it('requires every matchLabels pair', () => {
    const selector = { matchLabels: { app: 'web', tier: 'front' } };
    expect(matches(selector, { app: 'web', tier: 'front', extra: 'x' })).toBe(true);
    expect(matches(selector, { app: 'web' })).toBe(false);
  });

  it('In needs the key present with one of the values', () => {
    const selector: LabelSelector = {
      matchExpressions: [{ key: 'env', operator: 'In', values: ['a', 'b'] }],
    };
    expect(matches(selector, { env: 'b' })).toBe(true);
    expect(matches(selector, { env: 'c' })).toBe(false);
    expect(matches(selector, {})).toBe(false);
  });

  it('NotIn also matches when the key is absent', () => {
    const selector: LabelSelector = {
      matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }],
    };
    expect(matches(selector, {})).toBe(true);
    expect(matches(selector, { env: 'dev' })).toBe(true);
    expect(matches(selector, { env: 'prod' })).toBe(false);
  });

  it('Exists and DoesNotExist look at the key only', () => {
    expect(matches({ matchExpressions: [{ key: 'debug', operator: 'Exists' }] }, { debug: '' })).toBe(true);
    expect(matches({ matchExpressions: [{ key: 'debug', operator: 'Exists' }] }, {})).toBe(false);
    expect(matches({ matchExpressions: [{ key: 'debug', operator: 'DoesNotExist' }] }, {})).toBe(true);
    expect(matches({ matchExpressions: [{ key: 'debug', operator: 'DoesNotExist' }] }, { debug: 'x' })).toBe(
      false,
    );
  });

  it('ANDs matchLabels with matchExpressions', () => {
    const selector: LabelSelector = {
      matchLabels: { app: 'web' },
      matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }],
    };
    expect(matches(selector, { app: 'web', env: 'dev' })).toBe(true);
    expect(matches(selector, { app: 'web', env: 'prod' })).toBe(false);
    expect(matches(selector, { app: 'api', env: 'dev' })).toBe(false);
  });

  it('does not mistake inherited object members for labels', () => {
    expect(matches({ matchExpressions: [{ key: 'constructor', operator: 'Exists' }] }, {})).toBe(false);
  });

  it('rejects an unknown operator, naming the expression and the value', () => {
    const selector = { matchExpressions: [{ key: 'a', operator: 'Equals' }] } as unknown as LabelSelector;

    expect(() => compileSelector(selector, 'shop/p spec.podSelector')).toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        message:
          'shop/p spec.podSelector.matchExpressions[0].operator is "Equals"; use one of In, NotIn, Exists, DoesNotExist',
      }),
    );
  });

  it('rejects In without values and Exists with values', () => {
    expect(() =>
      compileSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }, 's'),
    ).toThrow(/In needs a non-empty values list/);
    expect(() =>
      compileSelector({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }, 's'),
    ).toThrow(/Exists takes no values/);
  });

  it('describes a selector the way kubectl writes it', () => {
    expect(
      describeSelector({
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'env', operator: 'In', values: ['a', 'b'] },
          { key: 'tier', operator: 'NotIn', values: ['db'] },
          { key: 'debug', operator: 'Exists' },
          { key: 'legacy', operator: 'DoesNotExist' },
        ],
      }),
    ).toBe('app=web,env in (a,b),tier notin (db),debug,!legacy');
  });
});
