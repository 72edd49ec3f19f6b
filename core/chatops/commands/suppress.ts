import { durationMinutes, expectPositionals, findingRef, formatMinutes } from './args.ts';
import type { CommandSpec } from './command.ts';

const USAGE = '/k8s suppress FINDING DURATION [REASON…]';

export const suppressCommand: CommandSpec = {
  name: 'suppress',
  usage: USAGE,
  summary: 'Silence a finding for a while: its alert stays, new occurrences stop posting to its thread.',
  details:
    'DURATION is a number and m, h, d or w, up to 30 days. The first occurrence after it reopens the finding. Example: `/k8s suppress 3f2a9c1e 4h planned load test`.',
  role: 'responder',
  purpose: 'suppress findings',
  flags: [],
  plan(args) {
    const [ref = '', duration = ''] = expectPositionals(
      { ...args, positionals: args.positionals.slice(0, 2) },
      ['FINDING', 'DURATION'],
      USAGE,
    );
    const finding = findingRef(ref, USAGE);
    const minutes = durationMinutes(duration);
    const reason = args.positionals.slice(2).join(' ').trim();
    return {
      type: 'enqueue',
      body: {
        kind: 'suppress',
        args: { finding, minutes, ...(reason === '' ? {} : { reason: reason.slice(0, 500) }) },
      },
      scope: { anyCluster: true },
      target: `finding ${finding}`,
      finding,
      working: `Suppressing finding \`${finding}\` for ${formatMinutes(minutes)}…`,
    };
  },
};
