import { App } from '../adapters/slack/bolt-runtime.ts';
import type { IngressDeps } from '../core/chatops/ingress.ts';
import { registerActionListeners } from './listeners/actions.ts';
import { registerCommandListeners } from './listeners/commands.ts';
import { registerEventListeners } from './listeners/events.ts';
import { registerViewListeners } from './listeners/views.ts';

/**
 * The one Bolt app of kubeguard. It registers listeners only; the entry points give it a receiver —
 * bot/lambda.ts and bot/local.ts Bolt's AwsLambdaReceiver behind kubeguard's own signature and
 * replay check (bot/http-ingress.ts), bot/local.ts Socket Mode when SLACK_APP_TOKEN is set.
 *
 * Extension points: a command is a CommandSpec in core/chatops/commands/registry.ts, a button a
 * ButtonSpec in core/chatops/buttons.ts, a form a FormSpec in core/chatops/forms.ts; the work they
 * queue is a kind in core/chatops/requests.ts with a handler in core/chatops/worker.ts. No listener
 * code changes for any of them.
 */
export interface CreateAppOptions {
  deps: IngressDeps;
  /** AwsLambdaReceiver (Lambda, local HTTP) or a SocketModeReceiver. */
  receiver: NonNullable<NonNullable<ConstructorParameters<typeof App>[0]>['receiver']>;
  /** Bot token; the listeners call Slack through the ingress's own ports, Bolt's client is not used. */
  botToken: string;
}

export function createApp(options: CreateAppOptions): App {
  const app = new App({
    receiver: options.receiver,
    // An authorize function, not `token`: with a token, Bolt calls auth.test on every request.
    authorize: async () => ({ botToken: options.botToken }),
    // Needs the bot's own ids (auth.test); kubeguard listens to no events it could send itself.
    ignoreSelf: false,
    logger: quietLogger(options.deps),
  });
  registerCommandListeners(app, options.deps);
  registerActionListeners(app, options.deps);
  registerViewListeners(app, options.deps);
  registerEventListeners(app, options.deps);
  app.error(async (error) => {
    options.deps.log.error('bolt failed to process a slack request', {
      code: (error as { code?: string }).code ?? 'unknown',
    });
  });
  return app;
}

/** Bolt's logger, routed to kubeguard's log: warnings and errors only, never request bodies. */
function quietLogger(deps: IngressDeps) {
  let level = 'error';
  return {
    debug: () => {},
    info: () => {},
    warn: (...messages: unknown[]) =>
      deps.log.warn('bolt', { message: messages.map(String).join(' ').slice(0, 300) }),
    error: (...messages: unknown[]) =>
      deps.log.error('bolt', { message: messages.map(String).join(' ').slice(0, 300) }),
    setLevel: (next: string) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  } as unknown as NonNullable<ConstructorParameters<typeof App>[0]>['logger'];
}
