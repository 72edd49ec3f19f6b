import type { ImageFinding, RunningContainer } from './image-finding.ts';

/**
 * Port: Amazon Inspector's current findings (Inspector2 `ListFindings`, filtered to ECR container
 * images and status ACTIVE). Implemented by adapters/aws/inspector-findings.ts; tests use fakes.
 */
export interface ImageFindingSource {
  /** Every active finding on one image (by digest) in the account and region Inspector reported it. */
  findingsForImage(image: { account: string; region: string; digest: string }): Promise<ImageFinding[]>;
  /**
   * Every active ECR image finding of the given severities in a region (for posture checks); pages
   * through ListFindings.
   */
  activeFindings(query: {
    account?: string;
    region: string;
    severities?: readonly ImageFinding['inspectorSeverity'][];
  }): Promise<ImageFinding[]>;
}

/** Port: the containers running in the configured clusters, read through the cluster reader. */
export interface RunningImageSource {
  runningContainers(): Promise<{
    containers: RunningContainer[];
    /** Clusters that could not be read, with the reason: an alert must say its list may be partial. */
    unreadable: { cluster: string; reason: string }[];
  }>;
}
