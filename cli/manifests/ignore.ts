/**
 * A `.kubeguardignore` matcher: the common subset of gitignore syntax (https://git-scm.com/docs/gitignore),
 * written here rather than adding a dependency for ~80 lines (decision D-audit-ignore in docs/decisions.md).
 *
 * Supported: blank lines and `#` comments, `\#` / `\!` escapes, trailing spaces trimmed; `!pattern`
 * re-includes; a trailing `/` matches directories only; a pattern with a `/` at its start or middle is
 * anchored at the root, otherwise it matches at any depth; `*`, `?`, `[...]` never cross `/`; `**`
 * as a whole segment matches any number of directories (`**\/x`, `a/**`, `a/**\/b`). The last matching
 * pattern wins; a directory that is ignored is not entered, so nothing under it can be re-included
 * (as in git).
 */

interface Rule {
  negated: boolean;
  directoryOnly: boolean;
  regex: RegExp;
}

export interface IgnoreMatcher {
  /** Whether a path relative to the root (forward slashes) is ignored. */
  ignores(path: string, isDirectory: boolean): boolean;
}

export function parseIgnore(text: string): IgnoreMatcher {
  const rules: Rule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const rule = parseRule(raw);
    if (rule !== undefined) rules.push(rule);
  }
  return {
    ignores(path, isDirectory) {
      let ignored = false;
      for (const rule of rules) {
        if (rule.directoryOnly && !isDirectory) continue;
        if (rule.regex.test(path)) ignored = !rule.negated;
      }
      return ignored;
    },
  };
}

function parseRule(raw: string): Rule | undefined {
  let line = raw.replace(/(?<!\\)\s+$/, '');
  if (line === '' || line.startsWith('#')) return undefined;
  let negated = false;
  if (line.startsWith('!')) {
    negated = true;
    line = line.slice(1);
  } else if (line.startsWith('\\!') || line.startsWith('\\#')) {
    line = line.slice(1);
  }
  let directoryOnly = false;
  if (line.endsWith('/')) {
    directoryOnly = true;
    line = line.replace(/\/+$/, '');
  }
  if (line === '') return undefined;
  const anchored = line.includes('/');
  if (line.startsWith('/')) line = line.slice(1);
  const body = line
    .split('/')
    .map((segment, index, segments) => {
      if (segment === '**') {
        if (index === segments.length - 1) return '.*'; // a/** — everything inside a
        return '(?:[^/]+/)*'; // **/ — zero or more directories
      }
      return `${segmentRegex(segment)}${index === segments.length - 1 ? '' : '/'}`;
    })
    .join('');
  const source = anchored ? `^${body}$` : `^(?:.*/)?${body}$`;
  return { negated, directoryOnly, regex: new RegExp(source) };
}

/** One path segment: `*` and `?` stay within the segment, `[...]` is a character class. */
function segmentRegex(segment: string): string {
  let out = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i] as string;
    if (c === '\\' && i + 1 < segment.length) {
      out += escapeRegex(segment[++i] as string);
    } else if (c === '*') {
      out += '[^/]*';
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      const end = segment.indexOf(']', i + 2);
      if (end === -1) {
        out += '\\[';
        continue;
      }
      let set = segment.slice(i + 1, end);
      if (set.startsWith('!')) set = `^${set.slice(1)}`;
      out += `[${set.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else {
      out += escapeRegex(c);
    }
  }
  return out;
}

function escapeRegex(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
