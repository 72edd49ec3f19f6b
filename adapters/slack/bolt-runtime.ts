import AppModule from '@slack/bolt/dist/App.js';
import ReceiverModule from '@slack/bolt/dist/receivers/AwsLambdaReceiver.js';

/**
 * Bolt's App and AwsLambdaReceiver, imported by module path rather than through `@slack/bolt`'s index:
 * the index also loads ExpressReceiver (express, body-parser, iconv-lite, mime-db), which the Slack
 * ingress never uses — about 330 KB of its bundle and the time to load it on every cold start.
 */
export const App = defaultExport(AppModule);
export type App = InstanceType<typeof App>;
export const AwsLambdaReceiver = defaultExport(ReceiverModule);
export type AwsLambdaReceiver = InstanceType<typeof AwsLambdaReceiver>;

/**
 * Bolt ships CommonJS whose modules set `exports.default`: Node's ESM loader (and esbuild) hand the
 * whole `module.exports` to a default import, while Vite's interop (the tests) hands `default` itself.
 */
function defaultExport<T>(module: { default: T }): T {
  return (typeof module === 'function' ? module : module.default) as T;
}
