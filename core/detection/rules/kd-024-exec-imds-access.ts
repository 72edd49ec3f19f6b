import { literal } from '../../model/sentence.ts';
import type { AuditRule } from '../rule.ts';
import { exampleStream } from './shared-workload-examples.ts';
import { commandLine, isSuccessfulExecOrAttach, streamMatch } from './shared-workload-exec.ts';

export const IMDS_MARKERS: readonly string[] = ['169.254.169.254', '/latest/meta-data', '/latest/api/token'];

export const kd024ExecImdsAccess: AuditRule = {
  id: 'KD-024',
  title: 'Exec command reaches instance metadata (IMDS)',
  severity: 'high',
  mitre: ['T1552.005'],
  core: false,
  resources: ['pods'],
  evaluatesResponseStarted: true,
  trigger: 'KD-020 and the command contains `169.254.169.254`, `/latest/meta-data` or `/latest/api/token`',
  whatHappened: 'An exec command called the EC2 instance metadata service from inside a pod.',
  whyItMatters:
    'IMDS hands out the node role’s temporary AWS credentials; from a pod they give AWS API access with ' +
    'the node’s permissions (ECR, EC2, sometimes much more).',
  firstResponse:
    'Assume the node role credentials leaked: check CloudTrail for their use from outside the VPC, revoke ' +
    'active sessions of the role, and enforce IMDSv2 with hop limit 1 on the node group.',
  falsePositives: 'Rare; some troubleshooting scripts read the instance id or region from IMDS.',
  // Elastic "Pod Exec Cloud Instance Metadata Access": the exec fixture's shape with a curl to IMDS.
  example: exampleStream({
    auditID: 'd1e2f3a4-0024-4b5c-8d6e-7f8a9b0c1d2e',
    namespace: 'default',
    pod: 'nginx-deployment-7998647bdf-phvq7',
    subresource: 'exec',
    query:
      'command=curl&command=-s&command=http%3A%2F%2F169.254.169.254%2Flatest%2Fmeta-data%2Fiam%2Fsecurity-credentials%2F&container=nginx1&stdout=true',
  }),
  match(event) {
    if (!isSuccessfulExecOrAttach(event)) return null;
    const command = commandLine(event);
    const markers = IMDS_MARKERS.filter((marker) => command.includes(marker));
    if (markers.length === 0) return null;
    return streamMatch(event, literal(', reaching the instance metadata service'), {
      imds: markers.join(', '),
    });
  },
};
