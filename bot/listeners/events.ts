import type { App } from '../../adapters/slack/bolt-runtime.ts';
import { handleHomeOpened, type IngressDeps } from '../../core/chatops/ingress.ts';
import { errorName } from './commands.ts';

/**
 * Events API events: `app_home_opened` only. Bolt acknowledges an event by itself; on Lambda the
 * answer leaves when this listener returns, so it only claims, records and queues the `home`
 * request — the worker reads the figures and publishes the tab (docs/decisions.md D-home).
 * The Messages tab (off in the manifest) publishes nothing.
 */
export function registerEventListeners(app: App, deps: IngressDeps): void {
  app.event('app_home_opened', async ({ event, body }) => {
    if (event.tab !== 'home') return;
    try {
      await handleHomeOpened(
        {
          userId: event.user,
          ...(body.team_id === undefined || body.team_id === '' ? {} : { teamId: body.team_id }),
          eventId: body.event_id,
        },
        deps,
      );
    } catch (error) {
      deps.log.error('slack home tab failed in the ingress', { error: errorName(error) });
    }
  });
}
