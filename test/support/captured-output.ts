import { vi } from 'vitest';

/**
 * What Powertools writes (it keeps its own Console on the process streams): every JSON line written
 * to stdout or stderr from now on, parsed. vi.restoreAllMocks() stops the capture.
 */
export function captureJsonLines(): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      for (const line of String(chunk).split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line));
      return true;
    });
  }
  return lines;
}
