import type { CheckResult, PostureCheck } from '../check.ts';
import { dig, list, record } from '../pod-templates.ts';
import { makeResult, subjectOf } from '../results.ts';
import { type LabelMatcher, selectorOf } from '../selectors.ts';
import type { ClusterSnapshot, KubeObject } from '../snapshot.ts';
import { namespaceOf, objectsOfKind } from '../snapshot-index.ts';
import { evidenceOf, failMessage, type Violation, violation } from '../template-check.ts';

const RELIABLE_KINDS = ['Deployment', 'StatefulSet'];

function labelsOf(value: unknown): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [key, item] of Object.entries(record(value) ?? {})) labels[key] = String(item);
  return labels;
}

/** PodDisruptionBudget selectors by namespace (a PDB without a selector protects nothing). */
function budgetsByNamespace(snapshot: ClusterSnapshot): Map<string, LabelMatcher[]> {
  const byNamespace = new Map<string, LabelMatcher[]>();
  for (const budget of objectsOfKind(snapshot, 'PodDisruptionBudget')) {
    const { matches } = selectorOf(dig(budget, 'spec', 'selector'), 'spec.selector', true);
    const namespace = namespaceOf(budget);
    byNamespace.set(namespace, [...(byNamespace.get(namespace) ?? []), matches]);
  }
  return byNamespace;
}

/** minReplicas of the HorizontalPodAutoscalers by `namespace/kind/name` of their target. */
function autoscalerMinimums(snapshot: ClusterSnapshot): Map<string, number> {
  const minimums = new Map<string, number>();
  for (const autoscaler of objectsOfKind(snapshot, 'HorizontalPodAutoscaler')) {
    const target = record(dig(autoscaler, 'spec', 'scaleTargetRef'));
    const minimum = dig(autoscaler, 'spec', 'minReplicas');
    minimums.set(
      `${namespaceOf(autoscaler)}/${String(target?.kind)}/${String(target?.name)}`,
      typeof minimum === 'number' ? minimum : 1,
    );
  }
  return minimums;
}

function inspect(
  workload: KubeObject,
  budgets: readonly LabelMatcher[],
  autoscalerMinimum: number | undefined,
): Violation[] {
  const violations: Violation[] = [];
  const replicas = dig(workload, 'spec', 'replicas');
  const effectiveReplicas = autoscalerMinimum ?? (typeof replicas === 'number' ? replicas : 1);
  if (effectiveReplicas < 2) {
    violations.push(
      violation(
        'spec.replicas',
        replicas,
        autoscalerMinimum === undefined ? 'fewer than 2 replicas' : 'HPA minReplicas < 2',
      ),
    );
  }
  const podLabels = labelsOf(dig(workload, 'spec', 'template', 'metadata', 'labels'));
  if (!budgets.some((matches) => matches(podLabels))) {
    violations.push(
      violation('PodDisruptionBudget', undefined, 'none in the namespace selects the pod labels'),
    );
  }
  const podSpec = dig(workload, 'spec', 'template', 'spec');
  const antiAffinity = dig(podSpec, 'affinity', 'podAntiAffinity');
  if (antiAffinity === undefined && list(dig(podSpec, 'topologySpreadConstraints')).length === 0) {
    violations.push(
      violation(
        'spec.template.spec.affinity.podAntiAffinity',
        undefined,
        'and no topologySpreadConstraints either',
      ),
    );
  }
  return violations;
}

/** Availability hygiene per Deployment and StatefulSet: ≥ 2 replicas, a PDB, spreading across nodes. */
export const kp091: PostureCheck = {
  id: 'KP-091',
  title: 'Replicas ≥ 2, PodDisruptionBudget, anti-affinity or topology spread',
  severity: 'low',
  category: 'workload',
  core: false,
  cis: [],
  reads: ['workloads', 'poddisruptionbudgets'],
  remediation:
    'Run at least 2 replicas (or an HPA with minReplicas ≥ 2), add a PodDisruptionBudget, and spread replicas with topologySpreadConstraints or podAntiAffinity.',
  evaluate(snapshot: ClusterSnapshot): CheckResult[] {
    const budgets = budgetsByNamespace(snapshot);
    const minimums = autoscalerMinimums(snapshot);
    return objectsOfKind(snapshot, ...RELIABLE_KINDS).map((workload) => {
      const namespace = namespaceOf(workload);
      const violations = inspect(
        workload,
        budgets.get(namespace) ?? [],
        minimums.get(`${namespace}/${workload.kind}/${workload.metadata.name}`),
      );
      const subject = subjectOf(snapshot, workload);
      return violations.length === 0
        ? makeResult(
            kp091,
            'pass',
            subject,
            'replicated, covered by a PodDisruptionBudget and spread across nodes',
          )
        : makeResult(kp091, 'fail', subject, failMessage(violations), evidenceOf(violations));
    });
  },
};
