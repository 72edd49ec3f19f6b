import { expectPositionals, findingRef } from './args.ts';
import type { CommandSpec } from './command.ts';

const USAGE = '/k8s ack FINDING';

export const ackCommand: CommandSpec = {
  name: 'ack',
  usage: USAGE,
  summary: 'Acknowledge a finding: someone is on it. The alert says who and when.',
  details:
    'FINDING is the id `/k8s findings` shows (its first 8 or more characters). Example: `/k8s ack 3f2a9c1e`.',
  role: 'responder',
  purpose: 'acknowledge findings',
  flags: [],
  plan(args) {
    const [ref = ''] = expectPositionals(args, ['FINDING'], USAGE);
    const finding = findingRef(ref, USAGE);
    return {
      type: 'enqueue',
      body: { kind: 'ack', args: { finding } },
      // The finding's cluster is known once the worker reads it; the worker checks the role there.
      scope: { anyCluster: true },
      target: `finding ${finding}`,
      finding,
      working: `Acknowledging finding \`${finding}\`…`,
    };
  },
};
