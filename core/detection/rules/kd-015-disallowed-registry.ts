import { literal, sentence } from '../../model/sentence.ts';
import { allContainers, type ContainerView } from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import { examplePodCreate } from './shared-workload-examples.ts';
import {
  actorOf,
  describeContainer,
  describePod,
  podIdentity,
  podMatch,
  requestedPodSpec,
} from './shared-workload-pod.ts';

/**
 * `nginx` → `docker.io/library/nginx`, `bitnami/redis:7` → `docker.io/bitnami/redis:7`: the form a
 * registry prefix such as `docker.io/library/` is written against. References with a registry host
 * (a first segment with `.` or `:`, or `localhost`) are returned unchanged.
 */
export function fullyQualifiedImage(image: string): string {
  const slash = image.indexOf('/');
  const first = slash === -1 ? '' : image.slice(0, slash);
  if (slash !== -1 && (first.includes('.') || first.includes(':') || first === 'localhost')) return image;
  return slash === -1 ? `docker.io/library/${image}` : `docker.io/${image}`;
}

/**
 * Prefix match that stops at a reference boundary: `registry.example.com` allows
 * `registry.example.com/app:1` but not `registry.example.com.attacker.io/app`.
 */
function startsWithPrefix(reference: string, prefix: string): boolean {
  if (prefix === '' || !reference.startsWith(prefix)) return false;
  if (reference.length === prefix.length || /[/:@]$/.test(prefix)) return true;
  return /[/:@]/.test(reference.charAt(prefix.length));
}

export function imageFromAllowedRegistry(image: string, prefixes: readonly string[]): boolean {
  const qualified = fullyQualifiedImage(image);
  return prefixes.some((p) => startsWithPrefix(image, p) || startsWithPrefix(qualified, p));
}

export const kd015DisallowedRegistry: AuditRule = {
  id: 'KD-015',
  title: 'Pod with image outside allowed registries',
  severity: 'medium',
  mitre: ['T1610'],
  core: false,
  resources: ['pods'],
  trigger:
    '`create` `pods` with any image not matching the allowed registry prefixes (configuration ' +
    '`allowedRegistries`; the rule is inactive until they are configured)',
  whatHappened: 'A pod was created with a container image from a registry your configuration does not allow.',
  whyItMatters:
    'Images from unvetted registries skip your scanning and signing; attackers pull tooling and miners ' +
    'from public registries.',
  firstResponse:
    'Identify the image and who created the pod. Mirror the image into an allowed registry if it is ' +
    'legitimate; otherwise delete the pod and block the registry at admission.',
  falsePositives: 'New third-party add-ons whose registry has not been added to `allowedRegistries` yet.',
  // Falco "Create Disallowed Pod": a pod create shaped like the create_nginx_pod_* traces (corpus line 27)
  // pulling from Docker Hub; triggers once allowedRegistries lists only the account's ECR registry.
  example: examplePodCreate({
    auditID: 'a8b9c0d1-0015-4e2f-9a3b-4c5d6e7f8a9b',
    namespace: 'default',
    metadata: { name: 'miner' },
    spec: { containers: [{ name: 'xmrig', image: 'docker.io/attacker/xmrig:6.21' }] },
  }),
  match(event, { config }) {
    const prefixes = config.allowedRegistries;
    if (!Array.isArray(prefixes) || prefixes.length === 0) return null;
    const spec = requestedPodSpec(event);
    if (spec === undefined) return null;
    const disallowed: ContainerView[] = allContainers(spec).filter(
      (c) => c.image !== '' && !imageFromAllowedRegistry(c.image, prefixes),
    );
    const first = disallowed[0];
    if (first === undefined) return null;
    const summary = sentence`${actorOf(event)} created ${describePod(podIdentity(event))} with ${literal(first.kind)} ${describeContainer(first)} from a registry outside the allowed list.`;
    return podMatch(event, summary, { images: disallowed.map((c) => c.image).join(', ') }, first);
  },
};
