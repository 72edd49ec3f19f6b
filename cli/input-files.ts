import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CliIo } from './io.ts';

/** One input of a command that reads files or standard input (detect, render). */
export interface Input {
  /** The name used in messages: the path as given, or `<stdin>`. */
  name: string;
  fromFile: boolean;
  text: string;
}

export async function readInputs(
  files: readonly string[],
  io: CliIo,
): Promise<Input[] | { unreadable: string }> {
  if (files.length === 0) return [{ name: '<stdin>', fromFile: false, text: await readAll(io) }];
  const inputs: Input[] = [];
  let stdin: string | undefined;
  for (const file of files) {
    if (file === '-') {
      stdin ??= await readAll(io);
      inputs.push({ name: '<stdin>', fromFile: false, text: stdin });
      continue;
    }
    try {
      inputs.push({ name: file, fromFile: true, text: await readFile(resolve(io.cwd, file), 'utf8') });
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      return {
        unreadable: `cannot read ${JSON.stringify(file)} (${reason}); pass readable files, or no file to read stdin`,
      };
    }
  }
  return inputs;
}

/**
 * Attacker-controlled strings reach the terminal: C0/C1 control characters (escape sequences,
 * carriage returns, newlines) are shown as \uXXXX so a record cannot rewrite the screen or forge lines.
 */
export function printable(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.charCodeAt(0);
    const control = code < 0x20 || (code >= 0x7f && code <= 0x9f);
    out += control ? `\\u${code.toString(16).padStart(4, '0')}` : char;
  }
  return out;
}

async function readAll(io: CliIo): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of io.stdin()) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}
