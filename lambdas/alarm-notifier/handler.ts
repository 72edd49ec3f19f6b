import { InvalidEventError } from '../../core/errors.ts';
import {
  type AlarmStateChange,
  decodeAlarmMessage,
  snsRecordsOf,
} from '../../core/observability/alarm-message.ts';
import type { SlackMessenger } from '../../core/ports.ts';
import { buildOpsAlarmMessage } from '../../core/slack-views/ops-alarm.ts';
import type { FunctionLogger } from '../shared/logger.ts';
import { composeAlarmNotifier } from './composition.ts';

export interface AlarmNotifierDeps {
  logger: FunctionLogger;
  slack: Pick<SlackMessenger, 'postMessage'>;
  /** `slack.opsChannel` of the configuration. */
  channel: string;
}

/** What one invocation did; the counts are also logged. */
export interface AlarmNotifierReport {
  posted: number;
  /** Messages that were not CloudWatch's alarm JSON (or an event that was not SNS's). */
  malformed: number;
  /** INSUFFICIENT_DATA changes: kubeguard's alarms notify on ALARM and OK only; anything else is not posted. */
  skipped: number;
}

/** At most this many malformed messages are logged one by one per invocation. */
const MALFORMED_LOGGED = 20;

export type AlarmNotifierHandler = (event: unknown) => Promise<AlarmNotifierReport>;

/**
 * The alarm notifier: subscribed to the alarm topic, it posts each alarm state change (ALARM, OK)
 * to the ops channel (core/slack-views/ops-alarm.ts). A message that is not CloudWatch's alarm JSON
 * is counted and logged with its SNS message id and why, and the others are still posted; a
 * failed post fails the invocation so Lambda retries it (twice, asynchronous invoke).
 */
export function createAlarmNotifierHandler(deps: AlarmNotifierDeps): AlarmNotifierHandler {
  return async (event) => {
    const report: AlarmNotifierReport = { posted: 0, malformed: 0, skipped: 0 };
    let records: ReturnType<typeof snsRecordsOf>;
    try {
      records = snsRecordsOf(event);
    } catch (error) {
      if (!(error instanceof InvalidEventError)) throw error;
      report.malformed += 1;
      deps.logger.error('alarm notification refused: the event is not an SNS event', {
        code: error.code,
        reason: error.message,
        ...report,
      });
      return report;
    }
    const refused: { messageId: string; reason: string }[] = [];
    for (const record of records) {
      let change: AlarmStateChange;
      try {
        change = decodeAlarmMessage(record.message);
      } catch (error) {
        if (!(error instanceof InvalidEventError)) throw error;
        report.malformed += 1;
        if (refused.length < MALFORMED_LOGGED)
          refused.push({ messageId: record.messageId, reason: error.message });
        continue;
      }
      if (change.newState !== 'ALARM' && change.newState !== 'OK') {
        report.skipped += 1;
        continue;
      }
      await deps.slack.postMessage({ channel: deps.channel, ...buildOpsAlarmMessage(change) });
      report.posted += 1;
    }
    if (report.malformed > 0) {
      deps.logger.error(
        'alarm notifications refused: not CloudWatch alarm JSON (subscribe only CloudWatch alarms to the alarm topic)',
        { ...report, refused },
      );
    } else {
      deps.logger.info('alarm notifications', { ...report });
    }
    return report;
  };
}

let composed: AlarmNotifierHandler | undefined;

/** Lambda entry point (SNS subscription to the alarm topic). */
export async function handler(event: unknown): Promise<AlarmNotifierReport> {
  composed ??= createAlarmNotifierHandler(composeAlarmNotifier());
  return composed(event);
}
