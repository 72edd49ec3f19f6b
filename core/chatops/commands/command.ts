import type { Role } from '../../authz/policy.ts';
import type { KubeguardConfig } from '../../config/schema.ts';
import type { ModalView } from '../../slack-views/blocks.ts';
import type { SlackReply } from '../replies.ts';
import type { ActionBody } from '../requests.ts';
import type { ParsedArgs } from './args.ts';

/**
 * One `/k8s` subcommand: self-describing (name, usage, help, the role it needs) with an argument
 * parser. The registry (registry.ts) lists them; `/k8s help`, the Slack app manifest
 * (deploy/slack/manifest.json) and docs/slack-bot.md are generated from it.
 */
export interface CommandSpec {
  name: string;
  /** `/k8s ack FINDING`. */
  usage: string;
  /** One sentence for `/k8s help`. */
  summary: string;
  /** Details and examples for `/k8s help NAME` (mrkdwn written by kubeguard). */
  details: string;
  role: Role;
  /** What the role lets the person do, for a denial: "acknowledge findings". */
  purpose: string;
  /** Flags it accepts, without `--`. */
  flags: readonly string[];
  /** Reads the arguments; throws INVALID_ARGUMENT with a message for the reader. */
  plan(args: ParsedArgs, context: CommandContext): CommandPlan;
}

export interface CommandContext {
  config: KubeguardConfig;
  /** Every command, for `help`. */
  commands: readonly CommandSpec[];
  /** The command's trigger id: a modal it opens is opened with it and named after it. */
  triggerId?: string;
  /** Who sent the command (a digest for "me" is theirs). */
  userId?: string;
}

/** Which clusters a request is about, for authorization (core/authz/policy.ts Requirement). */
export interface RequestScope {
  cluster?: string;
  anyCluster?: boolean;
}

export type CommandPlan =
  /** Answered at once in the acknowledgement (help, not-yet-built commands). */
  | { type: 'answer'; reply: SlackReply; scope: RequestScope }
  /** Queued for the action worker, which answers through the response URL. */
  | {
      type: 'enqueue';
      body: ActionBody;
      scope: RequestScope;
      /** For the audit trail: `finding 3f2a9c1e`. */
      target?: string;
      finding?: string;
      /** The acknowledgement's text while the worker runs. */
      working: string;
      /** A modal the ingress opens before queueing (the remediation planning modal; the worker fills it). */
      openFirst?: ModalView;
      /** The role this request needs when its arguments decide it (a digest for a channel); else the spec's. */
      role?: Role;
    };
