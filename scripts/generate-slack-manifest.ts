import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { manifestText } from '../core/chatops/manifest.ts';

/**
 * `npm run manifest`: writes deploy/slack/manifest.json from the command registry.
 * `npm run manifest -- --request-url https://…/slack/events` prints the manifest for a deployed stack
 * (its SlackRequestUrl output) instead; `--socket-mode` prints one for Socket Mode (bot/local.ts);
 * `--without-events` leaves the Home tab's event subscription out (the first install, docs/deploy.md).
 */
const args = process.argv.slice(2);
const urlIndex = args.indexOf('--request-url');
const requestUrl = urlIndex === -1 ? undefined : args[urlIndex + 1];
const socketMode = args.includes('--socket-mode');
const withoutEvents = args.includes('--without-events');

if (urlIndex !== -1 && (requestUrl === undefined || !/^https:\/\/[^\s/]+\/\S*$/.test(requestUrl))) {
  console.error(
    `--request-url needs the https URL Slack calls, e.g. https://abc123.execute-api.us-east-1.amazonaws.com/slack/events; received ${JSON.stringify(requestUrl ?? '')}`,
  );
  process.exit(2);
}
if (requestUrl !== undefined || socketMode || withoutEvents) {
  process.stdout.write(
    manifestText({ ...(requestUrl === undefined ? {} : { requestUrl }), socketMode, withoutEvents }),
  );
} else {
  const path = join(dirname(fileURLToPath(import.meta.url)), '..', 'deploy', 'slack', 'manifest.json');
  writeFileSync(path, manifestText());
  console.log('deploy/slack/manifest.json: the /k8s command and its usage from the command registry');
}
