import { commandCluster, REMEDIATION_PURPOSE, REMEDIATION_ROLE } from '../remediation-ask.ts';
import { expectPositionals, invalid, quoted } from './args.ts';
import type { CommandSpec } from './command.ts';
import { startPlan } from './isolate.ts';

const USAGE = '/k8s rotate SECRET_ID [--cluster C]';
/** A Secrets Manager secret name or ARN (what DescribeSecret takes). */
const SECRET_ID = /^[A-Za-z0-9/_+=.@:-]{1,2048}$/;

export const rotateCommand: CommandSpec = {
  name: 'rotate',
  usage: USAGE,
  summary: 'Rotate a Secrets Manager secret and restart what uses it in the cluster, after you confirm.',
  details:
    'SECRET_ID is the secret’s name or ARN. The plan lists the ExternalSecrets refreshed and the workloads restarted; the previous value stays as AWSPREVIOUS. Example: `/k8s rotate prod/payments/db --cluster prod`.',
  role: REMEDIATION_ROLE,
  purpose: REMEDIATION_PURPOSE['rotate-secret'],
  flags: ['cluster'],
  plan(args, context) {
    const [secret = ''] = expectPositionals(args, ['SECRET_ID'], USAGE);
    if (!SECRET_ID.test(secret)) {
      throw invalid(
        `${quoted(secret, 80)} is not a Secrets Manager secret name or ARN: letters, digits and /_+=.@:- only. Usage: ${USAGE}`,
      );
    }
    const cluster = commandCluster(args.flags.get('cluster'), context.config, USAGE);
    return startPlan(
      { action: 'rotate-secret', cluster, secret },
      context.triggerId,
      `Secrets Manager secret ${secret}`,
    );
  },
};
