import { createWriteStream } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { csvChunks } from '#core/posture/export/csv.ts';
import { jsonChunks } from '#core/posture/export/json.ts';
import { toMarkdown } from '#core/posture/export/markdown.ts';
import { type ArtifactLocation, fileUri, SRCROOT, sarifChunks } from '#core/posture/export/sarif.ts';
import { batched } from '#core/posture/export/stream.ts';
import { toText } from '#core/posture/export/text.ts';
import type { AuditReport } from '#core/posture/report.ts';
import { codeOf, usageError } from '../errors.ts';
import type { CliIo } from '../io.ts';
import type { AuditArgs, Format } from './args.ts';

/**
 * The report in its format, in pieces: JSON, SARIF and CSV list every result (~387,000 for a
 * 22,636-object cluster) and are written a batch at a time, never as one string; text and Markdown
 * are grouped per check and kind (core/posture/export/groups.ts) and small.
 */
export function reportChunks(report: AuditReport, args: AuditArgs, cwd: string): Iterable<string> {
  switch (args.format satisfies Format) {
    case 'json':
      return batched(jsonChunks(report));
    case 'sarif':
      return batched(sarifChunks(report, sarifLocations(resolve(cwd, args.sarifRoot ?? '.'), cwd)));
    case 'csv':
      return batched(csvChunks(report));
    case 'markdown':
      return [toMarkdown(report)];
    default:
      return [toText(report)];
  }
}

/**
 * SARIF artifact locations relative to `root` (declared as SRCROOT) so code scanning annotates the
 * files of the repository; a file outside the root gets its absolute `file:` URI and no base id.
 */
export function sarifLocations(root: string, cwd: string) {
  return {
    srcRoot: `${pathToFileURL(root).href.replace(/\/$/, '')}/`,
    artifact: (file: string): ArtifactLocation => {
      const absolute = resolve(cwd, file);
      const path = relative(root, absolute);
      if (path === '' || path.startsWith('..') || resolve(root, path) !== absolute) {
        return { uri: pathToFileURL(absolute).href };
      }
      return { uri: fileUri(path.split(sep).join('/')), uriBaseId: SRCROOT };
    },
  };
}

/** Writes the pieces to --output (waiting when the file is behind) or to standard output. */
export async function writeReport(
  chunks: Iterable<string>,
  output: string | undefined,
  io: CliIo,
): Promise<void> {
  if (output === undefined) {
    for (const chunk of chunks) io.stdout(chunk);
    return;
  }
  const path = resolve(io.cwd, output);
  const stream = createWriteStream(path, { encoding: 'utf8' });
  const failed = new Promise<never>((_, reject) => {
    stream.once('error', (error) => reject(usageError(`cannot write "${output}" (${codeOf(error)})`)));
  });
  failed.catch(() => undefined);
  try {
    for (const chunk of chunks) {
      if (!stream.write(chunk))
        await Promise.race([
          new Promise((resolve) => stream.once('drain', () => resolve(undefined))),
          failed,
        ]);
    }
    await Promise.race([new Promise<void>((resolve) => stream.end(() => resolve())), failed]);
  } finally {
    stream.destroy();
  }
}
