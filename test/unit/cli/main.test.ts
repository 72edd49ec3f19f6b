import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.ts';

const cwd = tmpdir();
const packageJson = JSON.parse(readFileSync(join(import.meta.dirname, '../../../package.json'), 'utf8')) as {
  version: string;
};

describe('kubeguard (the command line itself)', () => {
  it('prints the version with --version, -V and version', async () => {
    for (const flag of ['--version', '-V', 'version']) {
      const result = await runCli([flag], { cwd });

      expect(result).toEqual({ code: 0, stdout: `kubeguard ${packageJson.version}\n`, stderr: '' });
    }
  });

  it('prints one command help for `help CMD`, the same as `CMD --help`', async () => {
    const viaHelp = await runCli(['help', 'netpol'], { cwd });
    const viaFlag = await runCli(['netpol', '--help'], { cwd });

    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toMatch(
      /^Would network policies allow a connection\?.*\n\nUsage: kubeguard netpol /,
    );
    expect(viaHelp.stdout).toContain('  --queries FILE|-');
    expect(viaFlag).toEqual(viaHelp);
  });

  it('answers an unknown command with the closest ones (exit 2)', async () => {
    expect(await runCli(['audti'], { cwd })).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'kubeguard: unknown command "audti"; did you mean audit?\nCommands: start, detect, render, audit, netpol, policy, evidence\n',
    });
    expect((await runCli(['help', 'detct'], { cwd })).stderr).toBe(
      'kubeguard: unknown command "detct"; did you mean detect?\nCommands: start, detect, render, audit, netpol, policy, evidence\n',
    );
    expect((await runCli(['zzz'], { cwd })).stderr).toBe(
      'kubeguard: unknown command "zzz"\nCommands: start, detect, render, audit, netpol, policy, evidence\n',
    );
  });

  it('lists the commands and the shared exit codes in --help; no command at all is exit 2 with the help', async () => {
    const help = await runCli(['--help'], { cwd });
    const none = await runCli([], { cwd });

    expect(help.code).toBe(0);
    expect(help.stdout).toContain(
      'Exit codes (every command): 0 clean, 1 failures at or above --fail-on, 2 bad arguments or no usable\ninput, 3 a source (cluster, AWS) could not be reached.',
    );
    expect(none).toEqual({ ...help, code: 2 });
  });

  it('describes every option of every command in its help', async () => {
    const commands = [
      (await import('../../../cli/commands/start.ts')).startCommand,
      (await import('../../../cli/commands/detect.ts')).detectCommand,
      (await import('../../../cli/commands/render.ts')).renderCommand,
      (await import('../../../cli/commands/audit.ts')).auditCommand,
      (await import('../../../cli/commands/netpol.ts')).netpolCommand,
      (await import('../../../cli/commands/policy.ts')).policyCommand,
    ];
    for (const command of commands) {
      const help = (await runCli(['help', command.name], { cwd })).stdout;
      const options = command.options ?? [];

      expect(options.length, command.name).toBeGreaterThan(0);
      // Each option starts a line of the options table: `  --name VALUE   what it does` (or `  -h, --help`).
      const undocumented = options.filter(
        (option) => !new RegExp(`^ +(?:-\\w, )?${option}\\b`, 'm').test(help),
      );
      expect(undocumented, command.name).toEqual([]);
    }
  });
});
