import type { PostureCheck } from '../check.ts';
import { record } from '../pod-templates.ts';
import { makeResult, show, skipResult } from '../results.ts';
import { DAY_MS, isoDay, snapshotTime, timeOf } from './aws-support.ts';
import { secretSubject } from './secrets-support.ts';

/** Longest a secret value may live, in days (catalog default). */
export const SECRET_MAX_AGE_DAYS = 90;

/** When the value last changed: the last rotation, else the last change, else creation. */
function lastValueChange(secret: Record<string, unknown>): { field: string; time: number } | undefined {
  for (const field of ['LastRotatedDate', 'LastChangedDate', 'CreatedDate']) {
    const time = timeOf(secret[field]);
    if (time !== undefined) return { field, time };
  }
  return undefined;
}

export const secretMaxAgeCheck: PostureCheck = {
  id: 'KP-021',
  title: `Secrets rotated within their schedule and at most ${SECRET_MAX_AGE_DAYS} days`,
  severity: 'medium',
  category: 'aws',
  core: false,
  cis: [],
  reads: ['secretsmanager:secrets'],
  remediation:
    "Rotate the secret now (aws secretsmanager rotate-secret --secret-id <secret>) and check the rotation function's logs when a scheduled rotation did not happen.",
  evaluate(snapshot) {
    const now = snapshotTime(snapshot);
    if (now === undefined)
      return [skipResult(this, snapshot, `snapshot takenAt ${show(snapshot.takenAt)} is not a time`)];
    return (snapshot.aws?.secrets ?? []).map((raw) => {
      const secret = record(raw) ?? {};
      const subject = secretSubject(secret);
      const changed = lastValueChange(secret);
      if (changed === undefined) {
        return makeResult(
          this,
          'fail',
          subject,
          'the secret reports no LastRotatedDate, LastChangedDate or CreatedDate: its age is unknown',
        );
      }
      const ageDays = Math.floor((now - changed.time) / DAY_MS);
      const scheduleDays = record(secret.RotationRules)?.AutomaticallyAfterDays;
      const rotating = secret.RotationEnabled === true && typeof scheduleDays === 'number';
      // A rotating secret is overdue one day after its own schedule; nothing may exceed the maximum.
      const limit = rotating ? Math.min(SECRET_MAX_AGE_DAYS, scheduleDays + 1) : SECRET_MAX_AGE_DAYS;
      const evidence: Record<string, string> = {
        [changed.field]: isoDay(changed.time),
        ageDays: String(ageDays),
      };
      if (rotating) evidence['RotationRules.AutomaticallyAfterDays'] = String(scheduleDays);
      if (ageDays <= limit) {
        return makeResult(
          this,
          'pass',
          subject,
          `${changed.field} ${isoDay(changed.time)} is ${ageDays} days ago (limit ${limit})`,
          evidence,
        );
      }
      const why =
        rotating && limit < SECRET_MAX_AGE_DAYS
          ? `rotation is overdue: the schedule says every ${scheduleDays} days`
          : `older than the ${SECRET_MAX_AGE_DAYS}-day maximum`;
      return makeResult(
        this,
        'fail',
        subject,
        `${changed.field} is ${isoDay(changed.time)}, ${ageDays} days ago: ${why}`,
        evidence,
      );
    });
  },
};
