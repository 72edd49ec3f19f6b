/**
 * Shared argument helpers: "did you mean" for mistyped options and commands (issue 14: `--manifest`,
 * `-o` got a bare "unknown option").
 */

/** Edit distance counting a swap of two neighbours as one edit (`audti` → `audit`): option names only. */
function distance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => (rows[i] as number[])[j] as number;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      (rows[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}

/** Short aliases people type from other tools, mapped to kubeguard's spelling. */
const ALIASES: Readonly<Record<string, readonly string[]>> = {
  '-o': ['--output', '--format'],
  '-f': ['--format', '--manifests'],
  '-c': ['--config', '--cluster', '--context'],
  '-k': ['--kubeconfig'],
  '-q': ['--queries'],
  '-v': ['--version'],
  '--manifest': ['--manifests'],
  '--out': ['--output'],
  '--outfile': ['--output'],
  '--fail-level': ['--fail-on'],
  '--severity': ['--fail-on'],
};

/** The closest candidates to a mistyped word (aliases first, then edit distance ≤ 2 or a prefix). */
export function closest(word: string, candidates: readonly string[]): string[] {
  const bare = word.split('=')[0] as string;
  const aliased = (ALIASES[bare] ?? []).filter((c) => candidates.includes(c));
  if (aliased.length > 0) return aliased;
  const scored = candidates
    .map((candidate) => ({ candidate, score: distance(bare, candidate) }))
    .filter(
      ({ candidate, score }) =>
        score <= Math.max(1, Math.min(2, Math.floor(bare.length / 3))) ||
        (bare.length >= 4 && candidate.startsWith(bare)),
    )
    .sort((a, b) => a.score - b.score);
  return scored.slice(0, 2).map((s) => s.candidate);
}

/** `unknown option "--manifest"; did you mean --manifests?` */
export function unknownOption(arg: string, known: readonly string[]): string {
  const suggestions = closest(arg, known);
  const hint = suggestions.length === 0 ? '' : `; did you mean ${suggestions.join(' or ')}?`;
  return `unknown option ${JSON.stringify(arg)}${hint}`;
}
