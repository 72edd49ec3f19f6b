import { literal, sentence } from '../../model/sentence.ts';
import {
  allContainers,
  getPath,
  isRecord,
  isRequestOn,
  isSuccess,
  namespaceOf,
  objectName,
  username,
} from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import { exampleEvent } from './shared-workload-examples.ts';
import { inNamespace, nameOrUnnamed } from './shared-workload-objects.ts';
import { actorOf, containerList, containerSecurityContext } from './shared-workload-pod.ts';
import { isNodeOrKubeSystemAccount } from './shared-workload-principals.ts';

export const kd014EphemeralContainer: AuditRule = {
  id: 'KD-014',
  title: 'Ephemeral (debug) container added to a pod',
  severity: 'medium',
  mitre: ['T1609', 'T1611'],
  core: true,
  resources: ['pods'],
  trigger:
    'verb in {update, patch} on `pods` subresource `ephemeralcontainers`, success, user not `system:node:*` ' +
    'and not a kube-system service account',
  whatHappened: 'An ephemeral container (kubectl debug) was added to a running pod.',
  whyItMatters:
    'An ephemeral container joins a live pod with any image and command the caller chooses, shares its ' +
    'network and (with --target) its processes, and can read its mounted secrets — without a restart or a ' +
    'new pod to notice.',
  firstResponse:
    'Confirm with the person that this was a debugging session; check the image and command of the ' +
    'ephemeral container (evidence). If unexpected, isolate the pod.',
  falsePositives: 'Legitimate `kubectl debug` sessions by on-call engineers.',
  // kubectl debug (strategic-merge patch on the ephemeralcontainers subresource), EKS user from the fixtures.
  example: exampleEvent({
    auditID: 'f7a8b9c0-0014-4d1e-8f2a-3b4c5d6e7f8a',
    requestURI: '/api/v1/namespaces/default/pods/nginx-deployment-7998647bdf-phvq7/ephemeralcontainers',
    verb: 'patch',
    userAgent: 'kubectl/v1.28.4 (linux/amd64) kubernetes/bae2c62',
    objectRef: {
      resource: 'pods',
      namespace: 'default',
      name: 'nginx-deployment-7998647bdf-phvq7',
      apiVersion: 'v1',
      subresource: 'ephemeralcontainers',
    },
    responseStatus: { code: 200 },
    requestObject: {
      spec: {
        ephemeralContainers: [
          {
            name: 'debugger-x7k2p',
            image: 'busybox',
            targetContainerName: 'nginx1',
            stdin: true,
            tty: true,
            terminationMessagePolicy: 'File',
          },
        ],
      },
    },
  }),
  match(event) {
    if (!isRequestOn(event, ['update', 'patch'], ['pods'], 'ephemeralcontainers')) return null;
    if (!isSuccess(event) || isNodeOrKubeSystemAccount(username(event))) return null;
    const pod = objectName(event);
    const namespace = namespaceOf(event);
    const spec = getPath(event.requestObject, 'spec');
    const debug = (isRecord(spec) ? allContainers(spec) : []).filter((c) => c.kind === 'ephemeralContainer');
    // An update carries every ephemeral container of the pod; the one just added is the last.
    const added = debug[debug.length - 1];
    const what =
      added === undefined
        ? literal('an ephemeral container')
        : sentence`ephemeral container ${added.name} (image ${added.image})`;
    const summary = sentence`${actorOf(event)} added ${what} to pod ${nameOrUnnamed(pod)}${inNamespace(namespace)}.`;
    const evidence: Record<string, string> = {};
    if (debug.length > 0) evidence.ephemeralContainers = containerList(debug);
    if (added !== undefined && containerSecurityContext(added).privileged === true)
      evidence.privileged = 'true';
    return { summary, namespace, pod, container: added?.name, image: added?.image, evidence };
  },
};
