import { describe, expect, it } from 'vitest';
import { parseStartArgs } from '../../../cli/commands/start.ts';

describe('kubeguard start arguments', () => {
  it('reads the options, PORT and KUBECONFIG (its first file, as kubectl merges from it)', () => {
    expect(parseStartArgs(['--memory', '--port', '0', '--config', 'my.json'], {})).toEqual({
      options: { memory: true, port: 0, configFile: 'my.json' },
    });
    expect(parseStartArgs(['--data-dir=state'], { PORT: '8080', KUBECONFIG: '/k/a:/k/b' })).toEqual({
      options: { port: 8080, kubeconfig: '/k/a', dataDir: 'state' },
    });
    expect(parseStartArgs(['--port', '4000'], { PORT: '8080' })).toEqual({ options: { port: 4000 } });
    expect(parseStartArgs(['--kubeconfig', 'other'], { KUBECONFIG: '/k/a' })).toEqual({
      options: { kubeconfig: 'other' },
    });
  });

  it('names the value at fault and the fix', () => {
    expect(parseStartArgs(['--port', 'http'], {})).toEqual({
      usage: '--port must be a port number (0–65535); received "http"',
    });
    expect(parseStartArgs([], { PORT: '70000' })).toEqual({
      usage: 'PORT must be a port number (0–65535); received "70000"',
    });
    expect(parseStartArgs(['--port'], {})).toEqual({
      usage: '--port must be a port number (0–65535); received nothing',
    });
    expect(parseStartArgs(['--memory', '--data-dir', 'x'], {})).toEqual({
      usage: '--memory keeps nothing on disk; leave out --data-dir',
    });
    expect(parseStartArgs(['--kubeconfig'], {})).toEqual({ usage: '--kubeconfig needs a path' });
    expect(parseStartArgs(['--verbose'], {})).toEqual({ usage: 'unknown option "--verbose"' });
    expect(parseStartArgs(['--datadir', 'x'], {})).toEqual({
      usage: 'unknown option "--datadir"; did you mean --data-dir?',
    });
  });
});
