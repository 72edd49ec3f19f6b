import { describe, expect, it } from 'vitest';
import { parseIgnore } from '../../../cli/manifests/ignore.ts';

/** The .kubeguardignore matcher: the common subset of gitignore syntax. */
describe('.kubeguardignore patterns', () => {
  it.each([
    // pattern, path, isDirectory, ignored
    ['charts/', 'charts', true, true],
    ['charts/', 'charts', false, false],
    ['charts/', 'deploy/charts', true, true],
    ['/charts/', 'deploy/charts', true, false],
    ['deploy/charts', 'deploy/charts', true, true],
    ['deploy/charts', 'x/deploy/charts', true, false],
    ['*.yaml', 'a/b/c.yaml', false, true],
    ['*.yaml', 'a/b/c.yml', false, false],
    ['*.tmp.yaml', 'keep.tmp.yaml', false, true],
    ['a/*.yaml', 'a/b/c.yaml', false, false],
    ['a/*.yaml', 'a/c.yaml', false, true],
    ['**/generated', 'src/deep/generated', true, true],
    ['**/generated', 'generated', false, true],
    ['a/**', 'a/b/c.yaml', false, true],
    ['a/**/b.yaml', 'a/b.yaml', false, true],
    ['a/**/b.yaml', 'a/x/y/b.yaml', false, true],
    ['c?.yaml', 'c1.yaml', false, true],
    ['c?.yaml', 'c10.yaml', false, false],
    ['c[0-9].yaml', 'c7.yaml', false, true],
    ['c[!0-9].yaml', 'c7.yaml', false, false],
    ['\\#notes.yaml', '#notes.yaml', false, true],
    ['# a comment', '# a comment', false, false],
    ['a.b.yaml', 'aXb.yaml', false, false],
  ])('%s against %s (directory: %s) → %s', (pattern, path, isDirectory, ignored) => {
    expect(parseIgnore(pattern).ignores(path, isDirectory)).toBe(ignored);
  });

  it('lets the last matching pattern win, so ! re-includes', () => {
    const matcher = parseIgnore('# generated\n*.yaml\n!keep.yaml\n\n   \n');

    expect(matcher.ignores('drop.yaml', false)).toBe(true);
    expect(matcher.ignores('sub/keep.yaml', false)).toBe(false);
    expect(parseIgnore('!keep.yaml\n*.yaml').ignores('keep.yaml', false)).toBe(true);
  });

  it('reads CRLF files and trims trailing spaces', () => {
    expect(parseIgnore('charts/  \r\nbuild\r\n').ignores('build', true)).toBe(true);
    expect(parseIgnore('charts/  \r\nbuild\r\n').ignores('charts', true)).toBe(true);
  });
});
