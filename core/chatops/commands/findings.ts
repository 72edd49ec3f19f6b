import { clusterName, expectPositionals, invalid, quoted, severity } from './args.ts';
import type { CommandSpec } from './command.ts';

const USAGE = '/k8s findings [open|all] [--cluster C] [--severity S]';

export const findingsCommand: CommandSpec = {
  name: 'findings',
  usage: USAGE,
  summary: 'List findings, most recent first: open (the default: open or acknowledged) or all.',
  details:
    '`--cluster` keeps one configured cluster; `--severity` keeps that severity and above. Example: `/k8s findings open --cluster prod-cluster --severity high`.',
  role: 'viewer',
  purpose: 'list findings',
  flags: ['cluster', 'severity'],
  plan(args, context) {
    const [scopeWord = 'open'] = expectPositionals(args, ['open|all'], USAGE, 1);
    const scope = scopeWord.toLowerCase();
    if (scope !== 'open' && scope !== 'all') {
      throw invalid(`${quoted(scopeWord)} is neither open nor all. Usage: ${USAGE}`);
    }
    const clusterFlag = args.flags.get('cluster');
    const cluster =
      clusterFlag === undefined
        ? undefined
        : clusterName(
            clusterFlag,
            context.config.clusters.map((c) => c.name),
          );
    const severityFlag = args.flags.get('severity');
    const minSeverity = severityFlag === undefined ? undefined : severity(severityFlag);
    return {
      type: 'enqueue',
      body: {
        kind: 'findings',
        args: {
          scope,
          ...(cluster === undefined ? {} : { cluster }),
          ...(minSeverity === undefined ? {} : { severity: minSeverity }),
        },
      },
      // Without --cluster the listing spans every cluster, which only a grant for all of them covers.
      scope: cluster === undefined ? {} : { cluster },
      working: 'Looking up findings…',
    };
  },
};
