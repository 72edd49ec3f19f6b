import type { CommandSpec } from './command.ts';

/** Until the digest issue lands, `/k8s digest …` says so instead of failing. */
export const digestCommand: CommandSpec = {
  name: 'digest',
  usage: '/k8s digest …',
  summary: 'Daily and weekly summaries (not built yet).',
  details: 'Digests are not built yet; this command will subscribe you to them when they are.',
  role: 'viewer',
  purpose: 'manage digest subscriptions',
  flags: [],
  plan() {
    return {
      type: 'answer',
      reply: {
        text: ':calendar: Digests are not built yet: `/k8s digest` will subscribe you to daily or weekly summaries once they are. Meanwhile `/k8s findings` lists what is open.',
      },
      scope: { anyCluster: true },
    };
  },
};
