import type { KubeObject } from '../model/kube-object.ts';
import type { ImageFinding } from '../supply-chain/image-finding.ts';

/**
 * Everything a posture audit reads, collected up front (adapters/ collect it from AWS and the
 * cluster; the CLI builds it from manifests). Checks are pure functions of a snapshot.
 *
 * AWS-side values are the SDK v3 response objects' shapes (camelCase members as the SDK returns
 * them, e.g. DescribeCluster's `cluster`), typed here loosely because core/ may not import SDKs.
 */
export type ResourceType =
  | 'eks:cluster'
  | 'eks:clusterVersions'
  | 'eks:addons'
  | 'eks:accessEntries'
  | 'eks:nodegroups'
  | 'guardduty:detectors'
  | 'secretsmanager:secrets'
  | 'kubelet:config'
  | 'pods'
  | 'workloads'
  | 'roles'
  | 'rolebindings'
  | 'serviceaccounts'
  | 'networkpolicies'
  | 'services'
  | 'ingresses'
  | 'namespaces'
  | 'nodes'
  | 'configmaps'
  | 'poddisruptionbudgets'
  | 'webhooks'
  /** ExternalSecret, SecretStore, ClusterSecretStore (external-secrets.io), SecretProviderClass (CSI). */
  | 'externalsecrets'
  /** Amazon Inspector's active findings on ECR images (ListFindings), for the supply-chain checks. */
  | 'inspector:findings'
  /**
   * Admission policies that verify image signatures: Kyverno (Cluster)Policies, Gatekeeper
   * constraints with Ratify, Ratify Verifiers and Stores (absent kinds read as none).
   */
  | 'admissionpolicies';

/** A Kubernetes object as returned by the API or read from a manifest (the one model, core/model). */
export type { KubeObject };

export interface AccessEntrySnapshot {
  /** DescribeAccessEntry `accessEntry`. */
  entry: Record<string, unknown>;
  /** ListAssociatedAccessPolicies `associatedAccessPolicies`. */
  policies: Record<string, unknown>[];
}

export interface AwsSnapshot {
  /** DescribeCluster `cluster`. */
  cluster?: Record<string, unknown>;
  /** DescribeAddon `addon` per installed add-on. */
  addons?: Record<string, unknown>[];
  accessEntries?: AccessEntrySnapshot[];
  /** DescribeNodegroup `nodegroup` per node group. */
  nodegroups?: Record<string, unknown>[];
  /** GetDetector responses (with `detectorId` added) for the cluster's region; [] = no detector. */
  detectors?: Record<string, unknown>[];
  /** DescribeSecret responses for the secrets the cluster references. */
  secrets?: Record<string, unknown>[];
  /** Supported Kubernetes versions (DescribeClusterVersions), newest first. */
  supportedVersions?: Record<string, unknown>[];
  /** ListPodIdentityAssociations `associations` (namespace, serviceAccount, associationArn …). */
  podIdentityAssociations?: Record<string, unknown>[];
  /** Inspector's active ECR image findings in the cluster's region (and account), all severities. */
  imageFindings?: ImageFinding[];
}

export interface ClusterSnapshot {
  /** Cluster name, or a label such as `manifests` for an offline audit. */
  name: string;
  /** ISO-8601 time the snapshot was taken (checks of age, e.g. secret rotation, use it as "now"). */
  takenAt: string;
  aws?: AwsSnapshot;
  /** Kubelet configuration per node name (from nodes/proxy configz). */
  kubeletConfigs?: Record<string, Record<string, unknown>>;
  /** Every Kubernetes object collected or read. */
  objects: KubeObject[];
  /** Manifest file per object (offline audits), same order as `objects`. */
  files?: (string | undefined)[];
  /** 1-based line where each object starts in its file (offline audits), same order as `objects`. */
  lines?: (number | undefined)[];
  /**
   * Resource types that could not be read, with the reason ("no permission to list secrets",
   * "offline audit: no AWS access"). Checks reading them are skipped with that reason.
   */
  unavailable: Partial<Record<ResourceType, string>>;
}
