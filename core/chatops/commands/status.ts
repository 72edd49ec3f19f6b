import { expectPositionals } from './args.ts';
import type { CommandSpec } from './command.ts';

const USAGE = '/k8s status';

export const statusCommand: CommandSpec = {
  name: 'status',
  usage: USAGE,
  summary: 'What kubeguard is doing: alerts waiting for Slack, the last finding per source and cluster.',
  details: 'Example: `/k8s status`.',
  role: 'viewer',
  purpose: 'see kubeguard’s status',
  flags: [],
  plan(args) {
    expectPositionals(args, [], USAGE);
    return {
      type: 'enqueue',
      body: { kind: 'status', args: {} },
      scope: {},
      working: 'Checking kubeguard’s status…',
    };
  },
};
