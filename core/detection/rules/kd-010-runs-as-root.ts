import { literal, sentence } from '../../model/sentence.ts';
import { allContainers } from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import { examplePodCreate } from './shared-workload-examples.ts';
import {
  actorOf,
  containerSecurityContext,
  describePod,
  podIdentity,
  podMatch,
  podSecurityContext,
  successfulPodSpec,
} from './shared-workload-pod.ts';

/** `runAsUser: 0` or `runAsNonRoot: false`, in words, or undefined. */
function rootSetting(context: Record<string, unknown>): string | undefined {
  if (context.runAsUser === 0) return 'runAsUser: 0';
  if (context.runAsNonRoot === false) return 'runAsNonRoot: false';
  return undefined;
}

export const kd010RunsAsRoot: AuditRule = {
  id: 'KD-010',
  title: 'Container explicitly runs as root',
  severity: 'low',
  mitre: ['T1610'],
  core: false,
  resources: ['pods'],
  trigger:
    '`create` `pods`, success, any `securityContext.runAsUser == 0` or `runAsNonRoot == false` (pod or ' +
    'container level)',
  whatHappened: 'A pod was created whose spec explicitly asks to run as root (UID 0 or runAsNonRoot: false).',
  whyItMatters:
    'Root in the container makes every other weakness (a writable hostPath, an added capability, a kernel ' +
    'bug) easier to turn into a node compromise; Pod Security "restricted" forbids it.',
  firstResponse:
    'Ask the owner whether root is required; set runAsNonRoot: true and a non-zero runAsUser if not.',
  falsePositives:
    'Images that only work as root (some legacy or system images); tune or disable per namespace.',
  // Panther k8s_privileged_pod_created run-as-root test (corpus line 98), with an EKS user.
  example: examplePodCreate({
    auditID: '2a3b4c5d-0010-4e6f-9a0b-1c2d3e4f5a6b',
    namespace: 'default',
    metadata: { name: 'nginx-root' },
    spec: { containers: [{ name: 'nginx', image: 'nginx', securityContext: { runAsUser: 0 } }] },
  }),
  match(event) {
    const spec = successfulPodSpec(event);
    if (spec === undefined) return null;
    const identity = podIdentity(event);
    const podLevel = rootSetting(podSecurityContext(spec));
    if (podLevel !== undefined) {
      const summary = sentence`${actorOf(event)} created ${describePod(identity)} whose pod securityContext sets ${podLevel}.`;
      return podMatch(event, summary, { securityContext: `pod ${podLevel}` });
    }
    for (const container of allContainers(spec)) {
      const setting = rootSetting(containerSecurityContext(container));
      if (setting === undefined) continue;
      const summary = sentence`${actorOf(event)} created ${describePod(identity)} whose ${literal(container.kind)} ${container.name} sets ${setting}.`;
      return podMatch(event, summary, { securityContext: `${container.name} ${setting}` }, container);
    }
    return null;
  },
};
