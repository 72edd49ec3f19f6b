import type { Severity } from '../model/severity.ts';

/**
 * One Amazon Inspector finding on an ECR container image, as kubeguard keeps it: decoded from an
 * EventBridge `Inspector2 Finding` event (core/supply-chain/inspector-event.ts) or from the
 * Inspector2 `ListFindings` API (adapters/aws/inspector-findings.ts). Every string in it comes from
 * the image's content or its registry, so it is attacker-influenced: escape it before mrkdwn.
 */
export interface ImageFinding {
  findingArn: string;
  /** The account Inspector reported it in (`detail.awsAccountId`). */
  account: string;
  region: string;
  type: 'PACKAGE_VULNERABILITY' | 'CODE_VULNERABILITY';
  /** The CVE or advisory id (`packageVulnerabilityDetails.vulnerabilityId`), else the title. */
  vulnerabilityId: string;
  title: string;
  /** Inspector's severity mapped to kubeguard's: INFORMATIONAL and UNTRIAGED are `low`. */
  severity: Severity;
  /** Inspector's own word (CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL, UNTRIAGED). */
  inspectorSeverity: string;
  status: 'ACTIVE' | 'SUPPRESSED' | 'CLOSED';
  inspectorScore?: number;
  image: ScannedImage;
  /** The vulnerable packages, each with its installed and fixed version when Inspector knows them. */
  packages: VulnerablePackage[];
  /** Vulnerable packages beyond the decoder's bound (MAX_FINDING_PACKAGES), counted, not kept. */
  omittedPackages?: number;
  fixAvailable?: 'YES' | 'NO' | 'PARTIAL';
  exploitAvailable?: 'YES' | 'NO';
  /** ISO-8601 instants (Inspector's event dates come in several formats; decoding normalizes them). */
  firstObservedAt: string;
  lastObservedAt: string;
  updatedAt: string;
}

/** The scanned image (`resources[].details.awsEcrContainerImage`). */
export interface ScannedImage {
  /** The registry's account id. */
  registry: string;
  repositoryName: string;
  /** `sha256:<64 hex>`: the image manifest digest, the key pods are matched on. */
  digest: string;
  tags: string[];
  pushedAt?: string;
  /**
   * Inspector's own count of the ECS tasks / EKS pods it saw running the image, and when it last
   * saw one (`inUseCount`, `lastInUseAt`), when the finding carries them: "in use at runtime, says
   * Inspector". kubeguard's own answer comes from the clusters (RunningContainer).
   */
  inUseCount?: number;
  lastInUseAt?: string;
}

export interface VulnerablePackage {
  name: string;
  version?: string;
  fixedInVersion?: string;
  packageManager?: string;
  filePath?: string;
}

/** One container of one pod running an image, as read from a configured cluster. */
export interface RunningContainer {
  cluster: string;
  /** The cluster's account (undefined = the home account), as in kubeguard.config.json. */
  account?: string;
  region?: string;
  namespace: string;
  pod: string;
  container: string;
  /** `<kind>/<name>` of the controlling workload (the owner chain's top), else `pod/<name>`. */
  workload: string;
  /** The image as the pod spec names it (a tag or a digest reference). */
  image: string;
  /**
   * The digest actually running, from `status.containerStatuses[].imageID` (a mutable tag resolves
   * there), else from a digest reference in the spec; containers with neither are not indexed.
   */
  digest: string;
}
