import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * checkov's CloudFormation checks on the synthesized templates (scripts/checkov.ts, D58): every failed
 * check is in infra/checkov-baseline.json with its reason, and every entry still occurs. checkov must
 * be installed (.ci/run does it); without it the test fails with the command that installs it.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const NODE = join(ROOT, 'node_modules', '.bin', 'node');
const SCRIPT = join(ROOT, 'scripts', 'checkov.ts');
const INSTALL = 'python3 -m venv .cache/checkov && .cache/checkov/bin/pip install --quiet checkov==3.3.30';

async function runScript(env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(NODE, [SCRIPT], {
      cwd: ROOT,
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, output: `${stdout}${stderr}` };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

describe('checkov baseline', () => {
  it('lists every failed checkov check on the templates with its reason, and nothing that no longer fails', async () => {
    const { code, output } = await runScript(process.env);
    // The script's own listing (new findings, stale entries, TODO reasons, or the install command).
    const listing = output.trim();
    expect(code, listing).toBe(0);
    expect(listing).toMatch(
      /every failed check is in infra\/checkov-baseline\.json with its reason \(\d+ entries\)/,
    );
  }, 600_000);

  it('names the command that installs checkov when the configured binary is not there', async () => {
    const { code, output } = await runScript({
      ...process.env,
      CHECKOV: join(ROOT, 'no-such-dir', 'checkov'),
    });

    expect(code).toBe(2);
    expect(output).toContain(`not executable: $CHECKOV=${join(ROOT, 'no-such-dir', 'checkov')}`);
    expect(output).toContain(`install it from the repository root with:\n  ${INSTALL}`);
  });
});
