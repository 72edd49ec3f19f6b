import { parseImage } from '../images.ts';
import { containersOf } from '../pod-templates.ts';
import { POD_READS, templateCheck, type Violation, violation } from '../template-check.ts';

/** Why an image reference is not pinned, or undefined when it is (a digest always pins). */
export function unpinnedReason(image: string): string | undefined {
  const reference = parseImage(image);
  if (reference.digest !== undefined) return undefined;
  if (reference.tag === undefined) return 'no tag: the runtime pulls "latest"';
  if (reference.tag === 'latest') return 'the "latest" tag moves';
  return undefined;
}

export const kp084 = templateCheck({
  id: 'KP-084',
  title: 'Image tag pinned (not latest or untagged)',
  severity: 'medium',
  category: 'workload',
  core: false,
  cis: [],
  reads: POD_READS,
  remediation: 'Reference images by an immutable version tag, or better by digest (image@sha256:…).',
  passMessage: 'every image is pinned to a tag other than latest or to a digest',
  inspect: (template) => {
    const violations: Violation[] = [];
    for (const { container, path, name } of containersOf(template)) {
      if (typeof container.image !== 'string') continue;
      const reason = unpinnedReason(container.image);
      if (reason !== undefined)
        violations.push(violation(`${path}.image`, container.image, `container "${name}"; ${reason}`));
    }
    return violations;
  },
});
