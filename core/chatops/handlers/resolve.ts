import { KubeguardError } from '../../errors.ts';
import type { FindingLister, FindingStore } from '../../findings/ports.ts';
import type { StoredFinding } from '../../findings/stored-finding.ts';

const WHOLE_FINGERPRINT = 32;

/**
 * The finding a request names: by its whole fingerprint (a button), or by the first characters of it
 * that `/k8s findings` shows (a command). NOT_FOUND when none matches, INVALID_ARGUMENT when a prefix
 * matches several.
 */
export async function resolveFinding(
  store: FindingStore & FindingLister,
  ref: string,
): Promise<StoredFinding> {
  if (ref.length === WHOLE_FINGERPRINT) {
    const finding = await store.get(ref);
    if (finding === undefined) {
      throw new KubeguardError(
        'NOT_FOUND',
        `no finding ${ref}: it may have been removed; /k8s findings all lists the findings kubeguard keeps`,
      );
    }
    return finding;
  }
  const { findings } = await store.listFindings({ fingerprintPrefix: ref, limit: 3 });
  const [only, second] = findings;
  if (only === undefined) {
    throw new KubeguardError(
      'NOT_FOUND',
      `no finding id starts with ${ref}; /k8s findings all lists them with their ids`,
    );
  }
  if (second !== undefined) {
    const ids = findings.map((f) => f.fingerprint.slice(0, 16)).join(', ');
    throw new KubeguardError(
      'INVALID_ARGUMENT',
      `${ref} is the start of several findings (${ids}…): give more of the id`,
    );
  }
  // Read again: the listing may be eventually consistent, the change that follows must not be.
  return (await store.get(only.fingerprint)) ?? only;
}
