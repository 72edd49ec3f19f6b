// Stands in for @slack/socket-mode in the Lambda bundles (infra/constructs/lambda-bundle.ts
// LAMBDA_BUNDLE.aliases). Bolt's App module requires its Socket Mode receiver unconditionally, but a
// Lambda function always runs with AwsLambdaReceiver: the real client (and undici, ~1.5 MB of source)
// would only slow every cold start. Socket Mode runs from source in bot/local.ts, never bundled.
'use strict';

class SocketModeClient {
  constructor() {
    throw new Error(
      'Socket Mode is not included in kubeguard Lambda bundles; run bot/local.ts with SLACK_APP_TOKEN instead.',
    );
  }
}

module.exports = {
  SocketModeClient,
  LogLevel: { ERROR: 'error', WARN: 'warn', INFO: 'info', DEBUG: 'debug' },
};
