import type { PostureCheck } from '../check.ts';
import { record } from '../pod-templates.ts';
import { makeResult, show } from '../results.ts';
import { secretSubject } from './secrets-support.ts';

export const secretRotationEnabledCheck: PostureCheck = {
  id: 'KP-020',
  title: 'Secrets Manager secrets used by the cluster rotate automatically',
  severity: 'high',
  category: 'aws',
  core: true,
  cis: [],
  reads: ['secretsmanager:secrets'],
  remediation:
    'aws secretsmanager rotate-secret --secret-id <secret> --rotation-lambda-arn <function> --rotation-rules AutomaticallyAfterDays=30 (or enable managed rotation for RDS / Redshift secrets)',
  evaluate(snapshot) {
    return (snapshot.aws?.secrets ?? []).map((raw) => {
      const secret = record(raw) ?? {};
      const subject = secretSubject(secret);
      const evidence = { RotationEnabled: show(secret.RotationEnabled) };
      if (secret.RotationEnabled === true) {
        const owner = typeof secret.OwningService === 'string' ? ` (managed by ${secret.OwningService})` : '';
        return makeResult(this, 'pass', subject, `automatic rotation is enabled${owner}`, evidence);
      }
      // RotationRules survive CancelRotateSecret: they never prove that rotation is on.
      const message =
        secret.RotationEnabled === false
          ? secret.RotationRules !== undefined
            ? 'RotationEnabled is false: rotation was turned off (RotationRules still show the old schedule, but nothing rotates)'
            : 'RotationEnabled is false: the secret never changes unless someone rotates it by hand'
          : 'RotationEnabled is absent: rotation was never configured for this secret';
      return makeResult(this, 'fail', subject, message, evidence);
    });
  },
};
