import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runStart } from '../../cli/commands/start.ts';
import { stdinOf } from '../../cli/io.ts';

/**
 * `npm start` as a newcomer runs it: a child process that prints the page's URL, serves the page
 * and the automation contract there, and stops cleanly on Ctrl-C (SIGINT) with exit code 0.
 */
const ROOT = join(import.meta.dirname, '..', '..');

/** The environment without anything that would point the sandbox elsewhere (a real cluster or workspace). */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of ['KUBECONFIG', 'PORT', 'SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN'])
    delete env[key];
  return env;
}

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: ChildProcess[] = [];

// A failed test must not leave a sandbox running.
afterAll(() => {
  for (const child of started) {
    if (child.exitCode === null && child.signalCode === null) process.kill(-(child.pid as number), 'SIGKILL');
  }
});

function run(command: string, args: string[]): Run {
  // A process group of its own, as a terminal's foreground job: Ctrl-C signals the whole group.
  const child = spawn(command, args, {
    cwd: ROOT,
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  started.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

async function pageUrl(started: Run): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const match = /Slack page\s+(http:\/\/127\.0\.0\.1:\d+\/)/.exec(started.stdout());
    if (match?.[1] !== undefined) return match[1];
    if (started.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no page URL printed; stdout: ${started.stdout()} stderr: ${started.stderr()}`);
}

async function checkAndStop(
  started: Run,
  expectedExit: { code: number | null; signal: NodeJS.Signals | null },
): Promise<void> {
  const url = await pageUrl(started);
  const page = await fetch(url);
  const facts = (await (await fetch(`${url}api/sandbox`)).json()) as { clusters: string[]; teamId: string };

  expect(page.status).toBe(200);
  expect(await page.text()).toContain('<title>kubeguard sandbox</title>');
  expect(facts).toMatchObject({ clusters: ['sandbox-cluster'], teamId: 'T0SANDBOX' });
  expect(started.stdout()).toMatch(/kubeconfig\s+\S+kubeconfig/);
  expect(started.stdout()).toMatch(/Signing secret\s+[0-9a-f]{64}\s+\(generated/);

  // Ctrl-C in a terminal: SIGINT to every process of the foreground group.
  process.kill(-(started.child.pid as number), 'SIGINT');
  const exit = await started.exited;
  await expect.poll(() => started.stdout(), { timeout: 10_000 }).toContain('SIGINT: stopping…\nstopped\n');
  expect(exit).toEqual(expectedExit);
  expect(started.stderr()).toBe('');
  await expect(fetch(url)).rejects.toThrow();
}

describe('npm start', () => {
  it('node cli/kubeguard.ts start --memory --port 0: prints the URL, serves it, exits 0 on SIGINT', async () => {
    await checkAndStop(
      run(join(ROOT, 'node_modules', '.bin', 'node'), [
        'cli/kubeguard.ts',
        'start',
        '--memory',
        '--port',
        '0',
      ]),
      { code: 0, signal: null },
    );
  }, 60_000);

  it('npm start -- --memory --port 0 does the same through npm', async () => {
    // npm itself ends on the SIGINT as it does at a terminal; the sandbox under it stops cleanly.
    await checkAndStop(run('npm', ['start', '--silent', '--', '--memory', '--port', '0']), {
      code: null,
      signal: 'SIGINT',
    });
  }, 60_000);
});

describe('kubeguard start on a busy port', () => {
  it('says which port is taken and how to choose another, and exits 1', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', () => resolve()));
    const { port } = busy.address() as AddressInfo;
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      stdout: (t: string) => out.push(t),
      stderr: (t: string) => err.push(t),
      stdin: stdinOf(''),
      stdinIsTTY: false,
      cwd: ROOT,
      env: {},
    };
    try {
      const code = await runStart(['--memory', '--port', String(port)], io, {
        env: {},
        stopped: () => new Promise<string>(() => {}),
      });

      expect(code).toBe(1);
      expect(err.join('')).toBe(
        `kubeguard start: listen EADDRINUSE: address already in use 127.0.0.1:${port}; another program uses that port: pass --port N (or PORT=N)\n`,
      );
      expect(out).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => busy.close(() => resolve()));
    }
  });
});
