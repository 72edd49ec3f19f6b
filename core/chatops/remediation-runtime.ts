import type { Timers } from '../delivery/retry.ts';
import type { EnforcementHint } from '../remediation/enforcement.ts';
import type { EvidenceStore, KubeClient } from '../remediation/ports.ts';
import type { RotationClaims } from '../remediation/rotation-claims.ts';
import type { SecretRotator } from '../remediation/secret-ports.ts';
import type { PlanStore } from './plan-store.ts';
import type { SlackViewUpdates } from './ports.ts';

/**
 * What the action worker needs to plan and run remediations (core/chatops/handlers/remediation-*.ts):
 * a Kubernetes client and an evidence store per configured cluster, Secrets Manager for rotations,
 * the plan store, and `views.update` to fill the planning modal the ingress opened. The real one is
 * built from the environment (adapters/kubernetes/remediation-runtime.ts: the EKS endpoint and CA
 * from DescribeCluster, a bearer token signed as the worker's role, the evidence bucket); tests give
 * the Kubernetes API double and in-memory stores.
 */
export interface RemediationRuntime {
  /** The cluster's client and where its forensic bundles go; NOT_FOUND for a cluster not configured. */
  forCluster(cluster: string): Promise<ClusterRuntime>;
  /** One rotation per secret at a time (decision D25). */
  rotationClaims: RotationClaims;
  /** Waits of rotate-secret (External Secrets Operator's refresh, rollouts). */
  timers: Timers;
}

export interface ClusterRuntime {
  kube: KubeClient;
  evidence: EvidenceStore;
  /** Secrets Manager in the cluster's region, for rotate-secret. */
  secrets: SecretRotator;
  /** Whether the VPC CNI enforces NetworkPolicy, as AWS reports it. @default 'unknown' */
  enforcement?: EnforcementHint;
}

/** The worker's remediation dependencies, together (absent: the worker does not remediate). */
export interface RemediationDeps {
  runtime: RemediationRuntime;
  plans: PlanStore;
  views: SlackViewUpdates;
}
