import type { ControlRef } from '../compliance/controls.ts';
import type { Severity } from '../model/severity.ts';
import type { ClusterSnapshot, ResourceType } from './snapshot.ts';

export type CheckCategory = 'aws' | 'node' | 'rbac' | 'workload' | 'network';
export type CheckStatus = 'pass' | 'fail' | 'skip';

/** The object a result is about. AWS-side objects use kinds such as `EKSCluster`, `GuardDutyDetector`. */
export interface ObjectRef {
  kind: string;
  namespace?: string;
  name: string;
}

export interface CheckResult {
  checkId: string;
  status: CheckStatus;
  severity: Severity;
  object: ObjectRef;
  /** Manifest file the object came from (offline audits). */
  file?: string;
  /** 1-based line in `file` where the object starts, when known. */
  line?: number;
  /** What was found, with the failing field and value. */
  message: string;
  remediation: string;
  /** Named evidence (field path → value). */
  evidence?: Record<string, string>;
}

/** What every check says about itself; docs/checks/ is generated from this. */
export interface CheckMetadata {
  /** Catalog id, e.g. `KP-060`. */
  id: string;
  title: string;
  severity: Severity;
  category: CheckCategory;
  /** ★ in the catalog. */
  core: boolean;
  /** CIS Amazon EKS Benchmark v1.8.0 sections, e.g. ['4.2.1']. */
  cis: string[];
  /** Pod Security Standards level this check belongs to, when it is a PSS control. */
  pss?: 'baseline' | 'restricted';
  /** Resource types the check reads; when one is unavailable the check is skipped with that reason. */
  reads: ResourceType[];
  remediation: string;
  /**
   * What is absent when the check has nothing to look at (it returns no result), e.g. `no Secret and
   * no workload that references one`; the engine then reports it `not applicable` with this reason.
   * @default `no <reads> in the input that it applies to`
   */
  nothingToCheck?: string;
  /**
   * SOC 2, PCI DSS and ISO/IEC 27001 controls the check gives evidence for. Not written in the check
   * module: the registry (core/posture/registry.ts) sets it on every registered check from the one
   * mapping, core/compliance/mapping.ts (decision D66).
   */
  controls?: readonly ControlRef[];
}

/** Audit-wide settings some checks read (the engine passes them to every check). */
export interface CheckOptions {
  /**
   * Image registry prefixes workloads may pull from (KP-086), e.g. `123456789012.dkr.ecr.us-east-1.amazonaws.com`
   * or `ghcr.io/acme/`. @default unset — KP-086 is then skipped with that reason.
   */
  approvedRegistries?: readonly string[];
  /**
   * Names of admission webhook configurations that have been reviewed (KP-108), added to the
   * EKS-managed ones kubeguard already knows. @default []
   */
  approvedWebhooks?: readonly string[];
  /**
   * Days an ACTIVE CRITICAL Amazon Inspector finding may stay open on an image a workload runs
   * before KP-093 fails the workload, counted from the finding's `firstObservedAt` to the snapshot's
   * `takenAt`. @default 14 (see DEFAULT_CRITICAL_FINDING_MAX_AGE_DAYS in KP-093)
   */
  criticalImageFindingMaxAgeDays?: number;
}

export interface PostureCheck extends CheckMetadata {
  /**
   * Pure: returns one result per object inspected (pass or fail), or [] when nothing applies. A check
   * that cannot run for a reason of its own (e.g. an option it needs is unset) returns one `skip`.
   */
  evaluate(snapshot: ClusterSnapshot, options?: CheckOptions): CheckResult[];
}
