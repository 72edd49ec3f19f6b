import { afterEach, describe, expect, it, vi } from 'vitest';
import { createFunctionLogger } from '../../../../lambdas/shared/logger.ts';

describe('the function logger', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('writes one JSON line whose service is the function name, attributes as top-level keys', () => {
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
    vi.stubEnv('POWERTOOLS_DEV', '');
    const lines: string[] = [];
    // Powertools writes through its own Console on the process streams (warnings on stderr).
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        lines.push(String(chunk));
        return true;
      });
    }

    createFunctionLogger('audit-logs').warn('audit log events rejected', { malformed: 3 });

    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      level: 'WARN',
      message: 'audit log events rejected',
      service: 'kubeguard-audit-logs',
      malformed: 3,
    });
  });
});
