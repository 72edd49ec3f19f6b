/** One benchmark figure, printed as a table row or, with `--json`, as one JSON line. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** The target in words, e.g. `>= 0.5` or `< 128 MB`; empty when informational. */
  target: string;
}

/** A suite runs its measurements and returns its figures. */
export interface BenchSuite {
  name: string;
  run: () => Promise<Figure[]>;
}

export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** A target with its verdict, for the table: `< 300 KB ✓` when met, `< 300 KB ✗` when not. */
export function verdict(target: string, met: boolean): string {
  return `${target} ${met ? '✓' : '✗'}`;
}
