import { RE2JS } from 're2js';

/**
 * Regular expressions written in cluster objects (an ExternalSecret's `find.name.regexp`), which
 * anyone allowed to create such an object controls. They run on RE2 (re2js): matching is linear in
 * the input, so no pattern can stall kubeguard, and RE2 is also the syntax the operator itself
 * evaluates them with (External Secrets Operator is written in Go, whose `regexp` package is RE2).
 * A pattern RE2 does not accept (backreferences, lookaround) is one the operator refuses as well:
 * it is reported as undetermined with the reason, never run on JavaScript's backtracking engine.
 */

/** RE2 program size (instructions) above which a pattern is not evaluated; `^prod/.*$` is 8. */
export const MAX_PATTERN_PROGRAM = 5_000;

export type ClusterPattern =
  | { ok: true; source: string; search(input: string): boolean }
  | { ok: false; source: string; reason: string };

export function compileClusterPattern(source: string): ClusterPattern {
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(source);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, source, reason: `not RE2 syntax (${message}), which the operator refuses too` };
  }
  if (compiled.programSize() > MAX_PATTERN_PROGRAM) {
    return {
      ok: false,
      source,
      reason: `compiles to ${compiled.programSize()} RE2 instructions, more than the ${MAX_PATTERN_PROGRAM} kubeguard evaluates`,
    };
  }
  // Go's regexp.MatchString, which the operator calls: a match anywhere in the input.
  return { ok: true, source, search: (input) => compiled.test(input) };
}

/** `"^(a)\1$"`, cut to 80 characters, for messages (the pattern is attacker-written). */
export function quotePattern(source: string): string {
  return JSON.stringify(source.length > 80 ? `${source.slice(0, 80)}…` : source);
}
