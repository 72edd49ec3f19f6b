import type { ViewSubmitAction } from '@slack/bolt';
import type { App } from '../../adapters/slack/bolt-runtime.ts';
import type { FormValues } from '../../core/chatops/forms.ts';
import { FORMS } from '../../core/chatops/forms.ts';
import { handleFormSubmission, type IngressDeps } from '../../core/chatops/ingress.ts';
import { errorName } from './commands.ts';

/**
 * Form submissions: one listener per form of the registry (core/chatops/forms.ts). The ack keeps the
 * form open with field errors, or closes it; answers come from the worker.
 */
export function registerViewListeners(app: App, deps: IngressDeps): void {
  for (const spec of deps.forms ?? FORMS) {
    app.view<ViewSubmitAction>(
      { type: 'view_submission', callback_id: spec.callbackId },
      async ({ body, view, ack }) => {
        let answer: Awaited<ReturnType<typeof handleFormSubmission>>;
        try {
          answer = await handleFormSubmission(
            {
              userId: body.user.id,
              ...(body.team?.id === undefined ? {} : { teamId: body.team.id }),
              callbackId: view.callback_id,
              viewId: view.id,
              viewHash: view.hash,
              privateMetadata: view.private_metadata,
              values: view.state.values as unknown as FormValues,
            },
            deps,
          );
        } catch (error) {
          deps.log.error('slack form failed in the ingress', {
            callbackId: spec.callbackId,
            error: errorName(error),
          });
          answer = {
            response_action: 'errors',
            errors: { [spec.firstBlockId]: 'kubeguard could not take this now; try again in a minute.' },
          };
        }
        await ack(answer);
      },
    );
  }
}
