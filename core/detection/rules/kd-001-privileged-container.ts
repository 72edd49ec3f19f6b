import { literal, sentence } from '../../model/sentence.ts';
import { allContainers, imageAllowed } from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import {
  examplePodCreate,
  REPLICASET_CONTROLLER,
  replicaSetPodMetadata,
} from './shared-workload-examples.ts';
import {
  actorOf,
  containerList,
  containerSecurityContext,
  describeContainer,
  describePod,
  imageAllowListFor,
  podIdentity,
  podMatch,
  successfulPodSpec,
} from './shared-workload-pod.ts';

const ID = 'KD-001';

export const kd001PrivilegedContainer: AuditRule = {
  id: ID,
  title: 'Privileged container created',
  severity: 'high',
  mitre: ['T1610', 'T1611'],
  core: true,
  resources: ['pods'],
  trigger:
    '`create` `pods` (no subresource), success, any container (containers, initContainers, ephemeralContainers) ' +
    'has `securityContext.privileged == true`; image not in the privileged allow-list',
  whatHappened:
    'A pod was created with a privileged container: it runs with every Linux capability and full access ' +
    'to the host devices of the node it lands on.',
  whyItMatters:
    'A privileged container is root on the node in all but name: it can mount the host disk, load kernel ' +
    'modules and escape to the node, then read the credentials of every pod and of the node role.',
  firstResponse:
    'Find who created the pod (or the workload that owns it) and whether the change was reviewed. If it ' +
    'was not expected, isolate the pod, capture its spec and logs, and remove privileged from the workload.',
  falsePositives:
    'Node agents (CNI, storage drivers, security and monitoring daemons) run privileged by design; add ' +
    'their image repositories to the KD-001 image allow-list.',
  // falcosecurity/falco test/trace_files/k8s_audit/create_nginx_pod_privileged.json (corpus line 23).
  example: examplePodCreate({
    auditID: 'a362d22b-db3c-4590-9505-23782f12925f',
    namespace: 'default',
    user: REPLICASET_CONTROLLER,
    metadata: replicaSetPodMetadata('nginx-deployment-5cdcc99dbf'),
    spec: {
      containers: [{ name: 'nginx', image: 'nginx', securityContext: { privileged: true } }],
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      securityContext: {},
    },
  }),
  match(event, { config }) {
    const spec = successfulPodSpec(event);
    if (spec === undefined) return null;
    const allowList = imageAllowListFor(config, ID);
    const privileged = allContainers(spec).filter(
      (c) => containerSecurityContext(c).privileged === true && !imageAllowed(c.image, allowList),
    );
    const first = privileged[0];
    if (first === undefined) return null;
    const summary = sentence`${actorOf(event)} created ${describePod(podIdentity(event))} with privileged ${literal(first.kind)} ${describeContainer(first)}.`;
    return podMatch(event, summary, { privilegedContainers: containerList(privileged) }, first);
  },
};
