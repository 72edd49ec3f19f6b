import type { Severity } from '../model/severity.ts';

/** A time-boxed silence for matching detections. Every field given must match. */
export interface Suppression {
  ruleId?: string;
  cluster?: string;
  namespace?: string;
  principal?: string;
  /** ISO-8601; the suppression stops applying at this instant. */
  until: string;
  reason: string;
  createdBy?: string;
}

export interface RuleOverride {
  /** @default true */
  enabled?: boolean;
  severity?: Severity;
}

export interface DetectionConfig {
  /** Per-rule image allow-lists (repository without registry host or tag). */
  imageAllowLists: Record<string, readonly string[]>;
  /** Principals (exact usernames, or prefixes ending in `*`) never alerted on. @default [] */
  principalAllowList: readonly string[];
  /** Namespaces never alerted on. @default [] (the catalog does not exclude namespaces by default) */
  namespaceAllowList: readonly string[];
  /** Per-rule enable/disable and severity override. @default {} */
  rules: Record<string, RuleOverride>;
  /** @default [] */
  suppressions: readonly Suppression[];
  /** KD-061 burst: N denials from one principal or public IP within the window. */
  denialBurst: { threshold: number; windowSeconds: number };
  /**
   * KD-015: image reference prefixes pods may pull from, e.g. `111122223333.dkr.ecr.eu-west-1.amazonaws.com/`
   * or `docker.io/library/`. Docker Hub short names (`nginx`) are also compared in their full form.
   * @default undefined (KD-015 inactive)
   */
  allowedRegistries?: readonly string[];
  /**
   * KD-066: the non-system usernames allowed to call the API (exact, or a prefix ending in `*`).
   * @default undefined (KD-066 inactive)
   */
  allowedUsers?: readonly string[];
  /**
   * KD-072: the namespaces that may be created (exact, or a prefix ending in `*`).
   * @default undefined (KD-072 inactive)
   */
  allowedNamespaces?: readonly string[];
  /**
   * KD-083: the node names allowed to register (exact, or a prefix ending in `*`, e.g. `ip-10-0-*`).
   * @default undefined (KD-083 inactive)
   */
  allowedNodes?: readonly string[];
}

/**
 * Falco's default image lists (k8s_audit_privileged_images, k8s_audit_sensitive_mount_images,
 * k8s_audit_hostnetwork_images), plus the EKS system images that are privileged by design.
 * Entries are repositories; registry hosts and tags are ignored when matching.
 */
const FALCO_PRIVILEGED_IMAGES = [
  'calico/node',
  'cloudnativelabs/kube-router',
  'docker/ucp-agent',
  'mesosphere/mesos-slave',
  'rook/toolbox',
  'sysdig/sysdig',
  'falcosecurity/falco',
  'google_containers/kube-proxy',
  'google-containers/startup-script',
  'projectcalico-org/node',
  'kube-proxy',
  'gke-metadata-server',
  'netd-amd64',
  'watcher-daemonset',
  'google-containers/prometheus-to-sd',
  'ip-masq-agent-amd64',
  'prometheus-to-sd',
  'dns/k8s-dns-node-cache',
  'oss/kubernetes/kube-proxy',
  'amazon/cloudwatch-agent',
  'amazon-k8s-cni',
  'amazon-k8s-cni-init',
  'eks/kube-proxy',
];

const FALCO_SENSITIVE_MOUNT_IMAGES = [
  ...FALCO_PRIVILEGED_IMAGES,
  'datadog/agent',
  'datadog/docker-dd-agent',
  'gliderlabs/logspout',
  'openshift3/ose-sti-builder',
  'google_containers/hyperkube',
  'sysdig/agent',
  'amazon/aws-for-fluent-bit',
];

const FALCO_HOSTNETWORK_IMAGES = [
  ...FALCO_PRIVILEGED_IMAGES,
  'google-containers/cluster-proportional-autoscaler',
  'eks/coredns',
];

export const DEFAULT_DETECTION_CONFIG: DetectionConfig = Object.freeze({
  imageAllowLists: {
    'KD-001': FALCO_PRIVILEGED_IMAGES,
    'KD-002': FALCO_SENSITIVE_MOUNT_IMAGES,
    'KD-004': FALCO_HOSTNETWORK_IMAGES,
    'KD-008': FALCO_PRIVILEGED_IMAGES,
  },
  principalAllowList: [],
  namespaceAllowList: [],
  rules: {},
  suppressions: [],
  denialBurst: { threshold: 10, windowSeconds: 600 },
});
