import { joinSentence, literal, sentence } from '../../model/sentence.ts';
import { allContainers, asStringArray, getPath, imageAllowed } from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import { examplePodCreate } from './shared-workload-examples.ts';
import {
  actorOf,
  containerSecurityContext,
  describeContainer,
  describePod,
  imageAllowListFor,
  podIdentity,
  podMatch,
  successfulPodSpec,
} from './shared-workload-pod.ts';

const ID = 'KD-007';

export const DANGEROUS_CAPABILITIES: readonly string[] = [
  'ALL',
  'SYS_ADMIN',
  'SYS_PTRACE',
  'SYS_MODULE',
  'SYS_RAWIO',
  'SYS_BOOT',
  'DAC_READ_SEARCH',
  'NET_ADMIN',
  'BPF',
  'SYSLOG',
];

/** `cap_sys_admin` → `SYS_ADMIN`: case-insensitive, optional `CAP_` prefix. */
export function canonicalCapability(name: string): string {
  const upper = name.trim().toUpperCase();
  return upper.startsWith('CAP_') ? upper.slice(4) : upper;
}

export const kd007DangerousCapabilities: AuditRule = {
  id: ID,
  title: 'Container with dangerous Linux capabilities',
  severity: 'medium',
  mitre: ['T1611', 'T1610'],
  core: true,
  resources: ['pods'],
  trigger:
    '`create` `pods`, success, any container `securityContext.capabilities.add` intersects {ALL, SYS_ADMIN, ' +
    'SYS_PTRACE, SYS_MODULE, SYS_RAWIO, SYS_BOOT, DAC_READ_SEARCH, NET_ADMIN, BPF, SYSLOG} (case-insensitive, ' +
    'optional `CAP_` prefix)',
  whatHappened:
    'A pod was created with a container that adds a Linux capability that can break out of a container.',
  whyItMatters:
    'SYS_ADMIN, SYS_MODULE, SYS_PTRACE, BPF and the like let a process mount file systems, load kernel ' +
    'modules or inspect other processes — most container escapes need one of them.',
  firstResponse:
    'Check who created the pod and whether the capability is needed. If not, drop it from the workload; ' +
    'if the pod is unexpected, isolate it.',
  falsePositives:
    'Networking (NET_ADMIN for CNI, VPN, service meshes’ init containers) and observability agents ' +
    '(BPF, SYS_PTRACE) add capabilities legitimately; allow-list their images under KD-007.',
  // Panther k8s_pod_dangerous_capabilities test "SYS_ADMIN capability" (corpus line 90), with an EKS user.
  example: examplePodCreate({
    auditID: '3b4c5d6e-0007-4f8a-9b0c-1d2e3f4a5b6c',
    namespace: 'default',
    metadata: { name: 'test' },
    spec: {
      containers: [
        {
          name: 'test',
          image: 'nginx',
          securityContext: { capabilities: { add: ['SYS_ADMIN', 'NET_RAW'] } },
        },
      ],
    },
  }),
  match(event, { config }) {
    const spec = successfulPodSpec(event);
    if (spec === undefined) return null;
    const allowList = imageAllowListFor(config, ID);
    const findings = allContainers(spec)
      .filter((c) => !imageAllowed(c.image, allowList))
      .map((container) => ({
        container,
        added: asStringArray(getPath(containerSecurityContext(container), 'capabilities', 'add')).filter(
          (cap) => DANGEROUS_CAPABILITIES.includes(canonicalCapability(cap)),
        ),
      }))
      .filter((f) => f.added.length > 0);
    const first = findings[0];
    if (first === undefined) return null;
    const summary = sentence`${actorOf(event)} created ${describePod(podIdentity(event))} whose ${literal(first.container.kind)} ${describeContainer(first.container)} adds ${joinSentence(first.added, ', ')}.`;
    const evidence = {
      capabilities: first.added.join(', '),
      containers: findings.map((f) => `${f.container.name}: ${f.added.join(' ')}`).join('; '),
    };
    return podMatch(event, summary, evidence, first.container);
  },
};
