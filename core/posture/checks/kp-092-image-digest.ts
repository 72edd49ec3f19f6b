import { containersOf } from '../pod-templates.ts';
import { POD_READS, templateCheck, type Violation, violation } from '../template-check.ts';

/** A digest reference the runtime pulls by content: `@sha256:` and 64 lower-case hex digits. */
const SHA256_DIGEST = /@sha256:[0-9a-f]{64}$/;

/** Why an image reference does not pin a digest, or undefined when it does. */
export function digestReason(image: string): string | undefined {
  if (SHA256_DIGEST.test(image)) return undefined;
  if (image.includes('@')) return 'the digest is not sha256:<64 hex digits>';
  return 'referenced by tag, not by digest: the tag can be moved to other content';
}

/**
 * KP-092: stricter than KP-084 (which fails only latest and untagged images): any reference without
 * `@sha256:<64 hex>` fails, because a version tag can be pushed again to point at new content.
 */
export const kp092 = templateCheck({
  id: 'KP-092',
  title: 'Images referenced by digest',
  severity: 'medium',
  category: 'workload',
  core: false,
  cis: [],
  reads: POD_READS,
  remediation:
    'Reference each image by digest (registry/repository@sha256:…, optionally keeping the tag: repository:1.4.2@sha256:…), so what runs is exactly what was scanned and signed.',
  passMessage: 'every image is referenced by a sha256 digest',
  inspect: (template) => {
    const violations: Violation[] = [];
    for (const { container, path, name } of containersOf(template)) {
      if (typeof container.image !== 'string') continue;
      const reason = digestReason(container.image);
      if (reason !== undefined)
        violations.push(violation(`${path}.image`, container.image, `container "${name}"; ${reason}`));
    }
    return violations;
  },
});
