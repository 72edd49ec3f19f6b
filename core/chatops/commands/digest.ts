import {
  type DIGEST_FREQUENCIES,
  parseSubscriptionRequest,
  subscriptionRequirement,
} from '../../digest/subscriptions.ts';
import type { ActionArgs } from '../requests.ts';
import { invalid, quoted } from './args.ts';
import type { CommandPlan, CommandSpec } from './command.ts';

/**
 * `/k8s digest subscribe | unsubscribe | list | preview`: the words are read by the digest engine
 * (core/digest/subscriptions.ts parseSubscriptionRequest) so the command and the App Home agree on
 * what a subscription is; the worker (core/chatops/handlers/digest.ts) checks the role again and
 * makes the change. Subscribing a channel needs `digest.channelSubscriberRole`, a DM viewer.
 */
const USAGE =
  '/k8s digest subscribe weekly|daily [CLUSTER|all] [#channel|me] | unsubscribe ID|(weekly|daily [CLUSTER|all] [#channel|me]) | list | preview [weekly|daily] [CLUSTER|all]';
const SUBCOMMANDS = ['subscribe', 'unsubscribe', 'list', 'preview'] as const;
const SUBSCRIPTION_ID = /^[0-9a-f]{6,24}$/;

export const digestCommand: CommandSpec = {
  name: 'digest',
  // Short: the manifest joins every command's usage with ` | ` (`/k8s help digest` has the words).
  usage: '/k8s digest subscribe|unsubscribe|list|preview …',
  summary: 'Subscribe to weekly or daily posture digests, list or cancel them, or preview one now.',
  details:
    "`subscribe weekly all me` sends you the weekly digest of every cluster by direct message (Mondays 09:00 in your time zone); name a cluster and pick a channel from Slack's suggestions (`#security`) to post it there instead — a channel needs the role `digest.channelSubscriberRole` (default admin). `list` shows your subscriptions and their ids; `unsubscribe ID` (or the words you subscribed with) cancels one; `preview` sends you the digest as it would be sent now, chart included.",
  role: 'viewer',
  purpose: 'manage digest subscriptions',
  flags: [],
  plan(args, context) {
    const [sub, ...rest] = args.positionals;
    const name = sub?.toLowerCase();
    const clusters = context.config.clusters.map((cluster) => cluster.name);
    const userId = context.userId ?? '';
    switch (name) {
      case 'subscribe': {
        const request = parseSubscriptionRequest(rest, { userId, clusters });
        const need = subscriptionRequirement(request, context.config.digest);
        return enqueue(
          { op: 'subscribe', ...request },
          need.cluster === undefined ? {} : { cluster: need.cluster },
          need.role,
          `Subscribing ${whereOf(request.target)} to the ${request.frequency} digest of ${request.cluster ?? 'every cluster'}…`,
        );
      }
      case 'unsubscribe': {
        const [first, ...others] = rest;
        if (first !== undefined && others.length === 0 && SUBSCRIPTION_ID.test(first)) {
          return enqueue({ op: 'unsubscribe', id: first }, { anyCluster: true }, 'viewer', 'Unsubscribing…');
        }
        if (first === undefined) {
          throw invalid(
            `name the subscription: the id /k8s digest list shows, or the words you subscribed with. Usage: ${USAGE}`,
          );
        }
        const request = parseSubscriptionRequest(rest, { userId, clusters });
        return enqueue({ op: 'unsubscribe', ...request }, { anyCluster: true }, 'viewer', 'Unsubscribing…');
      }
      case 'list': {
        if (rest.length > 0) throw invalid(`list takes no arguments; received ${quoted(rest.join(' '))}`);
        return enqueue({ op: 'list' }, { anyCluster: true }, 'viewer', 'Reading your digest subscriptions…');
      }
      case 'preview': {
        let frequency: (typeof DIGEST_FREQUENCIES)[number] = 'weekly';
        let cluster: string | undefined;
        let clusterGiven = false;
        let frequencyGiven = false;
        for (const word of rest) {
          if (!frequencyGiven && (word === 'weekly' || word === 'daily')) {
            frequency = word;
            frequencyGiven = true;
          } else if (!clusterGiven && (word === 'all' || clusters.includes(word))) {
            cluster = word === 'all' ? undefined : word;
            clusterGiven = true;
          } else {
            throw invalid(
              `unknown cluster ${quoted(word)}; configured clusters: ${clusters.join(', ')} — or say all. Usage: /k8s digest preview [weekly|daily] [CLUSTER|all]`,
            );
          }
        }
        return enqueue(
          { op: 'preview', frequency, ...(cluster === undefined ? {} : { cluster }) },
          cluster === undefined ? {} : { cluster },
          'viewer',
          `Building the ${frequency} digest of ${cluster ?? 'every cluster'}; it comes to you by direct message…`,
        );
      }
      default:
        throw invalid(
          `${sub === undefined ? 'say what to do' : `unknown digest command ${quoted(sub, 40)}`}: ${SUBCOMMANDS.join(', ')}. Usage: ${USAGE}`,
        );
    }
  },
};

function enqueue(
  args: ActionArgs<'digest'>,
  scope: { cluster?: string; anyCluster?: boolean },
  role: 'viewer' | 'responder' | 'admin',
  working: string,
): CommandPlan {
  const target =
    args.id !== undefined
      ? `digest subscription ${args.id}`
      : args.op === 'list'
        ? 'digest subscriptions'
        : `${args.frequency ?? 'weekly'} digest of ${args.cluster ?? 'every cluster'}${args.target === undefined ? '' : ` for ${args.target.kind === 'dm' ? `dm ${args.target.user}` : `channel ${args.target.channel}`}`}`;
  return { type: 'enqueue', body: { kind: 'digest', args }, scope, role, target, working };
}

function whereOf(target: NonNullable<ActionArgs<'digest'>['target']>): string {
  return target.kind === 'dm' ? 'you' : `<#${target.channel}>`;
}
