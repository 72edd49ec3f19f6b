import { REMEDIATION_PURPOSE, REMEDIATION_ROLE } from '../remediation-ask.ts';
import type { CommandSpec } from './command.ts';
import { podActionPlan } from './isolate.ts';

const USAGE = '/k8s release NAMESPACE/POD [--cluster C]';

export const releaseCommand: CommandSpec = {
  name: 'release',
  usage: USAGE,
  summary: 'End a pod’s quarantine: shows the plan, runs it once you confirm with a reason.',
  details:
    'Deletes the quarantine NetworkPolicy, restores the labels isolation removed and records the release on the pod. Example: `/k8s release shop/web-7d4b9c6f5-x2x1z --cluster prod`.',
  role: REMEDIATION_ROLE,
  purpose: REMEDIATION_PURPOSE['release-pod'],
  flags: ['cluster'],
  plan: podActionPlan('release-pod', USAGE),
};
