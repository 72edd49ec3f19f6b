import { isAtLeast, type Severity } from '#core/model/severity.ts';
import { runAudit } from '#core/posture/engine.ts';
import { snapshotFromManifests } from '#core/posture/manifest-snapshot.ts';
import type { AuditReport } from '#core/posture/report.ts';
import { type AuditArgs, OPTIONS, parseAuditArgs, USAGE } from '../audit/args.ts';
import { collectLive } from '../audit/live.ts';
import { type ManifestInput, readManifests, requireObjects } from '../audit/read-manifests.ts';
import { reportChunks, writeReport } from '../audit/write-report.ts';
import { CliError } from '../errors.ts';
import { type CliCommand, type CliIo, EXIT_FAILURES, EXIT_OK, EXIT_USAGE } from '../io.ts';

/**
 * `kubeguard audit`: the posture checks over manifests (offline) or a live cluster. Prints the report
 * (text, json, markdown, sarif or csv) and exits 0 (nothing at or above --fail-on), 1 (failures at
 * or above it), 2 (bad arguments, nothing usable, or with --strict a document that could not be
 * read) or 3 (the cluster could not be reached). See cli/audit/ for the parts.
 */
export const auditCommand: CliCommand = {
  name: 'audit',
  usage: USAGE,
  options: OPTIONS,
  run: async (args, io) => {
    try {
      const parsed = parseAuditArgs(args, io);
      const { report, input } = await audit(parsed, io);
      await writeReport(reportChunks(report, parsed, io.cwd), parsed.output, io);
      const unread = input?.skipped.length ?? 0;
      if (parsed.strict && unread > 0) {
        io.stderr(
          `kubeguard audit: --strict: ${unread} document${unread === 1 ? '' : 's'} could not be read (listed above); fix them or pass --no-strict\n`,
        );
        return EXIT_USAGE;
      }
      return hasFailureAtOrAbove(report, parsed.failOn) ? EXIT_FAILURES : EXIT_OK;
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      const usage = error.exitCode === EXIT_USAGE ? `\nUsage: ${USAGE.split('\n')[0]}` : '';
      io.stderr(`kubeguard audit: ${error.message}${usage}\n`);
      return error.exitCode;
    }
  },
};

async function audit(args: AuditArgs, io: CliIo): Promise<{ report: AuditReport; input?: ManifestInput }> {
  if (args.kubeconfig !== undefined) {
    const snapshot = await collectLive(args.kubeconfig, args.context, io);
    return { report: runAudit(snapshot, undefined, args.options) };
  }
  const input = await readManifests(args.manifests, io);
  requireObjects(input, args.manifests);
  const snapshot = snapshotFromManifests(input.objects, new Date().toISOString());
  const report = runAudit(snapshot, undefined, args.options);
  report.input = { files: input.files.length, objects: input.objects.length, skipped: input.skipped };
  return { report, input };
}

export function hasFailureAtOrAbove(report: AuditReport, minimum: Severity): boolean {
  return report.results.some((result) => result.status === 'fail' && isAtLeast(result.severity, minimum));
}
