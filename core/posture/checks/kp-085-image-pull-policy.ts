import { parseImage } from '../images.ts';
import { containersOf } from '../pod-templates.ts';
import { POD_READS, templateCheck, type Violation, violation } from '../template-check.ts';

/** The policy the API server gives a container that sets none: Always for latest/untagged, else IfNotPresent. */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  const reference = parseImage(image);
  if (reference.digest !== undefined) return 'IfNotPresent';
  return reference.tag === undefined || reference.tag === 'latest' ? 'Always' : 'IfNotPresent';
}

export const kp085 = templateCheck({
  id: 'KP-085',
  title: 'Image pull policy Always',
  severity: 'low',
  category: 'workload',
  core: false,
  cis: [],
  reads: POD_READS,
  remediation:
    'Set imagePullPolicy: Always so every start checks the registry (and its credentials) for the image.',
  passMessage: 'every container pulls with imagePullPolicy Always',
  inspect: (template) => {
    const violations: Violation[] = [];
    for (const { container, path, name } of containersOf(template)) {
      const policy = container.imagePullPolicy;
      if (policy === 'Always') continue;
      if (policy === undefined || policy === null) {
        if (typeof container.image !== 'string' || defaultPullPolicy(container.image) === 'Always') continue;
        violations.push(
          violation(
            `${path}.imagePullPolicy`,
            undefined,
            `container "${name}"; defaults to IfNotPresent for a pinned image`,
          ),
        );
      } else {
        violations.push(violation(`${path}.imagePullPolicy`, policy, `container "${name}"`));
      }
    }
    return violations;
  },
});
