import { literal } from '../../model/sentence.ts';
import type { AuditRule } from '../rule.ts';
import { exampleStream } from './shared-workload-examples.ts';
import { execCommand, isSuccessfulExecOrAttach, programName, streamMatch } from './shared-workload-exec.ts';

/** `cf`, `cvf`, `-cf`, `-cvf`: tar creating an archive on stdout, as `kubectl cp` from a pod does. */
const CREATE_FLAG = /^-?cv?f$/;

export const kd025KubectlCpFromPod: AuditRule = {
  id: 'KD-025',
  title: '`kubectl cp` out of a pod (tar cf)',
  severity: 'low',
  mitre: ['T1005'],
  core: false,
  resources: ['pods'],
  evaluatesResponseStarted: true,
  trigger: 'KD-020 and the first command is `tar` with a `cf`/`cvf` flag (copy FROM the pod)',
  whatHappened: 'Files were copied out of a container (kubectl cp runs `tar cf -` in the pod).',
  whyItMatters:
    'Copying out is data collection: configuration, credentials or application data leave the cluster.',
  firstResponse: 'Check which paths were copied (evidence) and whether the person needed them.',
  falsePositives: 'Operators fetching logs, dumps or reports from pods.',
  // Panther k8s_kubectl_cp_operation test (corpus line 80), EKS user from the fixtures.
  example: exampleStream({
    auditID: 'e2f3a4b5-0025-4c6d-9e7f-8a9b0c1d2e3f',
    namespace: 'production',
    pod: 'webapp-pod',
    subresource: 'exec',
    query:
      'command=tar&command=cf&command=-&command=/app/secrets/credentials.json&container=webapp&stdout=true',
  }),
  match(event) {
    if (!isSuccessfulExecOrAttach(event)) return null;
    const [program, ...args] = execCommand(event);
    if (programName(program) !== 'tar' || !args.some((arg) => CREATE_FLAG.test(arg))) return null;
    const paths = args.filter((arg) => arg !== '-' && !CREATE_FLAG.test(arg));
    return streamMatch(event, literal(', copying files out of the pod'), { copiedPaths: paths.join(' ') });
  },
};
