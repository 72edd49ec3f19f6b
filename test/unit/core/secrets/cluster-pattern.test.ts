import { describe, expect, it } from 'vitest';
import { compileClusterPattern } from '#core/secrets/cluster-pattern.ts';

/** Evaluates a pattern the way an ExternalSecret's `find.name.regexp` is (a match anywhere). */
function search(pattern: string, input: string): boolean | string {
  const compiled = compileClusterPattern(pattern);
  return compiled.ok ? compiled.search(input) : compiled.reason;
}

describe('cluster-supplied regular expressions on RE2', () => {
  it('answers ^(.|.)*!$ against a 64-character name (exponential on a backtracking engine)', () => {
    const name = 'a'.repeat(64);

    expect(search('^(.|.)*!$', name)).toBe(false);
    expect(search('^(.|.)*!$', `${name.slice(1)}!`)).toBe(true);
  });

  it('evaluates nested quantifiers, which are linear on RE2', () => {
    expect(search('^(prod-[a-z]+)+$', 'prod-payments')).toBe(true);
    expect(search('^(prod-[a-z]+)+$', 'prod-payments!')).toBe(false);
  });

  it('searches anywhere in the name, as Go regexp.MatchString does', () => {
    expect(search('Test', 'MyTestSecret')).toBe(true);
    expect(search('^Test', 'MyTestSecret')).toBe(false);
    expect(search('(?i)^mytest', 'MyTestSecret')).toBe(true);
  });

  it('reports a backreference as not RE2 syntax instead of running it', () => {
    expect(compileClusterPattern('^(My)\\1')).toEqual({
      ok: false,
      source: '^(My)\\1',
      reason:
        'not RE2 syntax (error parsing regexp: invalid escape sequence: `\\1`), which the operator refuses too',
    });
  });

  it('reports lookaround as not RE2 syntax', () => {
    const compiled = compileClusterPattern('^My(?=Test)');
    expect(compiled.ok === false && compiled.reason).toBe(
      'not RE2 syntax (error parsing regexp: invalid or unsupported Perl syntax: `(?=`), which the operator refuses too',
    );
  });

  it('refuses repetition counts RE2 (and Go) refuse', () => {
    const compiled = compileClusterPattern('(a{1000}){1000}');
    expect(compiled.ok === false && compiled.reason).toContain('invalid repeat count');
  });

  it('leaves out a pattern whose program is too large to evaluate quickly', () => {
    const compiled = compileClusterPattern(
      '[a-z]{1000}[0-9]{1000}[A-Z]{1000}[a-z]{1000}[0-9]{1000}[A-Z]{1000}',
    );
    expect(compiled.ok === false && compiled.reason).toMatch(
      /^compiles to \d+ RE2 instructions, more than the 5000 kubeguard evaluates$/,
    );
  });
});
