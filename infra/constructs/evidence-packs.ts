import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { MONTHLY_EVIDENCE_EVENT } from '#core/chatops/evidence-ports.ts';
import { DEFAULT_PACK_PREFIX } from '../../adapters/evidence/pack-store.ts';
import { evidenceBucketName, type Pseudo, policyFromGrants } from './posture-audit-access.ts';

/**
 * Compliance evidence packs in AWS (docs/evidence-packs.md, decision D67): what the action worker may
 * do under `evidence-packs/` of the evidence bucket, and the monthly schedule that has it build one.
 */

/** When the monthly pack is built (UTC): the 1st of every month, with the daily posture audit's hour. */
export const MONTHLY_EVIDENCE_SCHEDULE = Object.freeze({ minute: '0', hour: '6', day: '1', month: '*' });

/**
 * The worker's grants on packs: write an archive and its manifest (PutObject, with the Object Lock
 * retention headers when `evidence.objectLock` is set — PutObjectRetention), and read them, because
 * the link in Slack is a presigned GET signed with the worker's own credentials: S3 checks the
 * signer's GetObject when the link is used. No delete, no BypassGovernanceRetention, no other prefix.
 */
export function evidencePackPolicy(
  scope: Construct,
  id: string,
  options: { role: IRole; resourcePrefix: string },
) {
  const packs = (p: Pseudo) =>
    `arn:${p.partition}:s3:::${evidenceBucketName(options.resourcePrefix, p)}/${DEFAULT_PACK_PREFIX}*`;
  return policyFromGrants(scope, id, options.role, [
    {
      sid: 'StoreEvidencePacks',
      actions: ['s3:PutObject', 's3:PutObjectRetention'],
      resources: (p) => [packs(p)],
      wildcardReason:
        'A pack is written once under a key named by its id (evidence-packs/<packId>.tar.gz and its manifest), ' +
        'known only when it is built, with the configured Object Lock retention (PutObjectRetention); the time-' +
        'limited link in Slack is a GET presigned with the worker’s credentials, which S3 authorizes as the worker ' +
        '(GetObject). The wildcard stays under the evidence-packs/ prefix; nothing deletes a pack or bypasses a retention.',
    },
    {
      sid: 'LinkEvidencePacks',
      actions: ['s3:GetObject'],
      resources: (p) => [packs(p)],
      // Same wildcard ARN as StoreEvidencePacks: one acknowledgment covers both.
    },
  ]);
}

/**
 * The `MonthlyEvidencePack` rule: on the 1st at 06:00 UTC it invokes the action worker with
 * MONTHLY_EVIDENCE_EVENT (core/chatops/evidence-ports.ts), which builds the previous month's pack of
 * every cluster and posts it to `evidence.channel`. EventBridge retries delivering the event (not
 * the build): a failed build is the worker's error, alarmed like any other.
 */
export function monthlyEvidenceRule(scope: Construct, id: string, worker: IFunction): Rule {
  return new Rule(scope, id, {
    description:
      'kubeguard: on the 1st of every month, build the previous month’s evidence pack and post it to Slack',
    schedule: Schedule.cron(MONTHLY_EVIDENCE_SCHEDULE),
    targets: [
      new LambdaFunction(worker, {
        event: RuleTargetInput.fromObject({ ...MONTHLY_EVIDENCE_EVENT }),
        retryAttempts: 2,
      }),
    ],
  });
}
