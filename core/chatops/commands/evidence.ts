import { FRAMEWORKS, type Framework } from '../../evidence-pack/model.ts';
import { clusterName, expectPositionals, invalid, quoted } from './args.ts';
import type { CommandSpec } from './command.ts';

/**
 * `/k8s evidence [CLUSTER|all] [--from DATE --to DATE] [--framework soc2|pci|iso27001]`: a compliance
 * evidence pack (docs/evidence-packs.md) built by the action worker (core/chatops/handlers/evidence.ts).
 * The command reads no clock: it checks the dates it is given (a day of the calendar, `to` not before
 * `from`, at most MAX_EVIDENCE_DAYS days), and the worker fills in the default — the previous full
 * calendar month, UTC — and refuses a period that starts in the future.
 */
export const EVIDENCE_USAGE =
  '/k8s evidence [CLUSTER|all] [--from DATE --to DATE] [--framework soc2|pci|iso27001]';

/** The longest period one pack covers: a year, leap day included. */
export const MAX_EVIDENCE_DAYS = 366;

const DAY_MS = 24 * 60 * 60 * 1000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `YYYY-MM-DD`, a day that exists (no 2026-02-30); the error names the flag and the value. */
export function calendarDay(value: string, flag: string): string {
  const match = DATE.exec(value);
  const ms = match === null ? Number.NaN : Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  if (match === null || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) {
    throw invalid(
      `--${flag} ${quoted(value, 40)} is not a date: write a calendar day as YYYY-MM-DD (UTC), e.g. 2026-11-01. Usage: ${EVIDENCE_USAGE}`,
    );
  }
  return value;
}

/** Midnight UTC of a checked `YYYY-MM-DD`, in ms. */
export function dayStartMs(day: string): number {
  return Date.parse(`${day}T00:00:00.000Z`);
}

/** Days from `from` to `to`, both included. */
export function daysIncluded(from: string, to: string): number {
  return (dayStartMs(to) - dayStartMs(from)) / DAY_MS + 1;
}

/** `soc2`, `pci`, `iso27001`, or several joined by commas; each once. */
export function frameworksOf(value: string): Framework[] {
  const chosen: Framework[] = [];
  for (const word of value.toLowerCase().split(',')) {
    if (!(FRAMEWORKS as readonly string[]).includes(word)) {
      throw invalid(
        `unknown framework ${quoted(word === '' ? value : word, 40)}; use ${FRAMEWORKS.join(', ')} (several joined by commas), or leave --framework out for all three. Usage: ${EVIDENCE_USAGE}`,
      );
    }
    if (!chosen.includes(word as Framework)) chosen.push(word as Framework);
  }
  return chosen;
}

export const evidenceCommand: CommandSpec = {
  name: 'evidence',
  usage: EVIDENCE_USAGE,
  summary:
    'Build a compliance evidence pack (SOC 2, PCI DSS, ISO 27001): posture reports, findings, actions and suppressions of a period, hashed, with a time-limited link.',
  details:
    'Without arguments: every cluster, the previous calendar month (UTC), all three frameworks. `--from` and `--to` are days (YYYY-MM-DD, UTC), both included, at most 366 days; `--framework` picks the per-control summaries (`soc2`, `pci`, `iso27001`, or several joined by commas). The pack comes back to you alone with its SHA-256, the manifest’s SHA-256 and how to verify it; it needs the viewer role on every cluster it covers. Example: `/k8s evidence prod-cluster --from 2026-07-01 --to 2026-09-30 --framework soc2`.',
  // Evidence is a read of what kubeguard already holds: a viewer's right on each cluster it covers
  // (decision in docs/decisions.md); the worker checks every cluster again.
  role: 'viewer',
  purpose: 'build compliance evidence packs',
  flags: ['from', 'to', 'framework'],
  plan(args, context) {
    const [named] = expectPositionals(args, ['CLUSTER'], EVIDENCE_USAGE, 1);
    const configured = context.config.clusters.map((cluster) => cluster.name);
    const cluster =
      named === undefined || named.toLowerCase() === 'all' ? undefined : clusterName(named, configured);
    const fromFlag = args.flags.get('from');
    const toFlag = args.flags.get('to');
    if ((fromFlag === undefined) !== (toFlag === undefined)) {
      throw invalid(
        `${fromFlag === undefined ? '--to' : '--from'} needs ${fromFlag === undefined ? '--from' : '--to'}: give both days, or neither for the previous calendar month. Usage: ${EVIDENCE_USAGE}`,
      );
    }
    let period: { from: string; to: string } | undefined;
    if (fromFlag !== undefined && toFlag !== undefined) {
      const from = calendarDay(fromFlag, 'from');
      const to = calendarDay(toFlag, 'to');
      const days = daysIncluded(from, to);
      if (days < 1) {
        throw invalid(
          `--to ${to} is before --from ${from}: the period runs from --from to --to, both included. Usage: ${EVIDENCE_USAGE}`,
        );
      }
      if (days > MAX_EVIDENCE_DAYS) {
        throw invalid(
          `the period ${from} to ${to} is ${days} days; one pack covers at most ${MAX_EVIDENCE_DAYS}: ask for shorter periods, e.g. one per quarter`,
        );
      }
      period = { from, to };
    }
    const frameworkFlag = args.flags.get('framework');
    const frameworks = frameworkFlag === undefined ? [...FRAMEWORKS] : frameworksOf(frameworkFlag);
    const clusters = cluster === undefined ? 'every cluster' : cluster;
    return {
      type: 'enqueue',
      body: {
        kind: 'evidence',
        args: {
          ...(cluster === undefined ? {} : { cluster }),
          ...(period === undefined ? {} : period),
          frameworks,
        },
      },
      // One cluster: its grant. Every cluster: a viewer grant on any one lets the request in, and the
      // worker checks each configured cluster (so per-cluster grants covering all of them suffice).
      scope: cluster === undefined ? { anyCluster: true } : { cluster },
      target: `evidence pack of ${clusters}${period === undefined ? '' : `, ${period.from} to ${period.to}`}`,
      working: `Building the evidence pack of ${clusters} (${period === undefined ? 'the previous calendar month' : `${period.from} to ${period.to}`}, ${frameworks.join(', ')}); it comes to you when it is stored…`,
    };
  },
};
