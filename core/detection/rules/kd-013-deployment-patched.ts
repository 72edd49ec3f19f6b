import { literal, sentence } from '../../model/sentence.ts';
import {
  allContainers,
  getPath,
  isRecord,
  isRequestOn,
  isSystemPrincipal,
  namespaceOf,
  username,
} from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import { exampleEvent } from './shared-workload-examples.ts';
import { inApiGroup, inNamespace, nameOrUnnamed, targetName } from './shared-workload-objects.ts';
import { actorOf, containerList } from './shared-workload-pod.ts';

export const kd013DeploymentPatched: AuditRule = {
  id: 'KD-013',
  title: 'Possible sidecar injection (deployment patched)',
  severity: 'low',
  mitre: ['T1610'],
  core: false,
  resources: ['deployments'],
  trigger: '`patch` `deployments` (apiGroup `apps`), non-system user',
  whatHappened: 'A person patched a Deployment in place.',
  whyItMatters:
    'Patching a running Deployment is how a sidecar gets injected next to a legitimate container: it ' +
    'inherits the pod’s service account, network identity and mounted secrets.',
  firstResponse:
    'Look at the patch body (evidence) for new containers, images or commands; compare the Deployment ' +
    'with its source of truth (Git, Helm) and roll back unexpected changes.',
  falsePositives: '`kubectl scale`, `kubectl rollout restart` and manual image bumps are patches too.',
  // Sigma "Potential Sidecar Injection Into Running Deployment": a strategic-merge patch adding a container.
  example: exampleEvent({
    auditID: 'e6f7a8b9-0013-4c0d-9e1f-2a3b4c5d6e7f',
    requestURI: '/apis/apps/v1/namespaces/default/deployments/nginx-deployment?fieldManager=kubectl-patch',
    verb: 'patch',
    objectRef: {
      resource: 'deployments',
      namespace: 'default',
      name: 'nginx-deployment',
      apiGroup: 'apps',
      apiVersion: 'v1',
    },
    responseStatus: { code: 200 },
    requestObject: {
      spec: {
        template: {
          spec: { containers: [{ name: 'sidecar', image: 'busybox:1.36', command: ['sleep', '3600'] }] },
        },
      },
    },
  }),
  match(event) {
    if (!isRequestOn(event, ['patch'], ['deployments']) || !inApiGroup(event, 'apps')) return null;
    if (isSystemPrincipal(username(event))) return null;
    const name = targetName(event);
    const namespace = namespaceOf(event);
    const podTemplate = getPath(event.requestObject, 'spec', 'template', 'spec');
    const containers = isRecord(podTemplate) ? allContainers(podTemplate) : [];
    const adds =
      containers.length === 0 ? literal('') : sentence` touching containers ${containerList(containers)}`;
    const summary = sentence`${actorOf(event)} patched Deployment ${nameOrUnnamed(name)}${inNamespace(namespace)}${adds}.`;
    const evidence: Record<string, string> = { deployment: name ?? '' };
    if (containers.length > 0) evidence.patchedContainers = containerList(containers);
    return {
      summary,
      namespace,
      workload: name === undefined ? undefined : `deployment/${name}`,
      container: containers[0]?.name,
      image: containers[0]?.image,
      evidence,
    };
  },
};
