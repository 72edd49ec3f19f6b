import type { Severity } from '../model/severity.ts';

/**
 * Images with active Inspector findings that no configured cluster runs: not an alert (nothing is
 * exposed), but counted in the weekly digest, so a registry full of vulnerable images that could be
 * deployed tomorrow is not invisible. One record per digest, replaced as events about it arrive.
 */
export interface NotRunningImage {
  /** `sha256:<64 hex>`. */
  digest: string;
  /** `<registry>/<repository>`, for the operator reading the table. */
  repository: string;
  /** Severities of its active findings, most severe first, each once. */
  severities: Severity[];
  findings: number;
  /** When an event last found it running nowhere (ISO-8601). */
  seenAt: string;
}

/** Where the image-findings function keeps them (adapters/aws/not-running-images.ts). */
export interface NotRunningImageStore {
  /** Records the image as running nowhere at `seenAt`, unless a later sighting is stored already. */
  markNotRunning(image: NotRunningImage): Promise<void>;
  /** The image runs somewhere, or has no active finding left, as of `at`: it is no longer counted. */
  forget(digest: string, at: string): Promise<void>;
  /** How many images were last seen running nowhere with `from <= seenAt < to`. */
  countNotRunning(range: { from: string; to: string }): Promise<number>;
}
