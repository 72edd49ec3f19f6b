import type { CheckMetadata, CheckResult, ObjectRef, PostureCheck } from '../check.ts';
import {
  type AccessRequest,
  describeRequest,
  describeSubject,
  type Grant,
  grantsFor,
  isSystemSubject,
  matchingRules,
  type RbacSubject,
  rbacModel,
  ruleAllows,
  subjectKey,
} from '../rbac.ts';
import { clusterSubject, makeResult, type Subject, subjectOf } from '../results.ts';
import type { ClusterSnapshot } from '../snapshot.ts';

const MAX_LISTED = 3;

export function subjectRef(subject: RbacSubject): ObjectRef {
  return subject.namespace === undefined
    ? { kind: subject.kind, name: subject.name }
    : { kind: subject.kind, name: subject.name, namespace: subject.namespace };
}

/** `get secrets cluster-wide via ClusterRoleBinding x → ClusterRole y rules[0] (only names a, b)` */
export function describeGrant(grant: Grant, request: AccessRequest): string {
  const names = grant.resourceNames.length > 0 ? ` (only ${grant.resourceNames.join(', ')})` : '';
  return `${describeRequest(request)} ${grant.scope}${names} via ${grant.path}`;
}

/** Grants that count: from bindings Kubernetes/EKS did not ship, to subjects that are not components. */
export function reviewableGrants(snapshot: ClusterSnapshot, requests: readonly AccessRequest[]): Grant[] {
  return grantsFor(snapshot, requests).filter(
    (grant) => !grant.binding.isDefault && !isSystemSubject(grant.subject),
  );
}

/** Every non-system subject named by a binding Kubernetes/EKS did not ship. */
export function reviewableSubjects(snapshot: ClusterSnapshot): RbacSubject[] {
  const subjects = new Map<string, RbacSubject>();
  for (const binding of rbacModel(snapshot).bindings) {
    if (binding.isDefault) continue;
    for (const subject of binding.subjects) {
      if (!isSystemSubject(subject)) subjects.set(subjectKey(subject), subject);
    }
  }
  return [...subjects.values()];
}

export interface AccessCheckDefinition extends CheckMetadata {
  /** The permission the check limits (any of these requests). */
  requests: readonly AccessRequest[];
  /** What the permission lets a subject do, for fail messages: "can read every Secret". */
  impact: string;
}

/**
 * "Who can …" check: one failure per subject holding the permission (with every binding → role →
 * rule path), one pass per other reviewable subject, and a failure per custom role that grants it
 * without being bound yet (a binding away from being used; Polaris flags such roles too).
 */
export function accessCheck(definition: AccessCheckDefinition): PostureCheck {
  const { requests, impact, ...metadata } = definition;
  return {
    ...metadata,
    evaluate(snapshot: ClusterSnapshot): CheckResult[] {
      const results: CheckResult[] = [];
      const bySubject = new Map<string, { subject: RbacSubject; lines: string[] }>();
      for (const grant of reviewableGrants(snapshot, requests)) {
        const request = requests.find((candidate) => ruleAllows(grant.rule.rule, candidate));
        if (request === undefined) continue;
        const key = subjectKey(grant.subject);
        const entry = bySubject.get(key) ?? { subject: grant.subject, lines: [] };
        entry.lines.push(describeGrant(grant, request));
        bySubject.set(key, entry);
      }
      for (const { subject, lines } of bySubject.values()) {
        const listed = lines.slice(0, MAX_LISTED).join('; ');
        const more = lines.length > MAX_LISTED ? `; and ${lines.length - MAX_LISTED} more` : '';
        const evidence = Object.fromEntries(lines.map((line, index) => [`grant[${index}]`, line]));
        results.push(
          makeResult(
            metadata,
            'fail',
            { ref: subjectRef(subject) },
            `${describeSubject(subject)} ${impact}: ${listed}${more}`,
            evidence,
          ),
        );
      }
      for (const subject of reviewableSubjects(snapshot)) {
        if (bySubject.has(subjectKey(subject))) continue;
        results.push(
          makeResult(
            metadata,
            'pass',
            { ref: subjectRef(subject) },
            `${describeSubject(subject)} holds no such permission`,
          ),
        );
      }
      results.push(...unboundRoleResults(metadata, snapshot, requests, impact));
      if (results.length === 0) {
        results.push(
          makeResult(
            metadata,
            'pass',
            clusterSubject(snapshot),
            'no binding gives this permission to a non-system subject',
          ),
        );
      }
      return results;
    },
  };
}

function unboundRoleResults(
  check: CheckMetadata,
  snapshot: ClusterSnapshot,
  requests: readonly AccessRequest[],
  impact: string,
): CheckResult[] {
  const model = rbacModel(snapshot);
  const bound = new Set(model.bindings.map((binding) => binding.role).filter((role) => role !== undefined));
  const results: CheckResult[] = [];
  for (const role of model.roles) {
    if (role.isDefault || bound.has(role)) continue;
    const matches = matchingRules(role, requests);
    if (matches.length === 0) continue;
    const subject: Subject = subjectOf(snapshot, role.object);
    const first = matches[0];
    if (first === undefined) continue;
    results.push(
      makeResult(
        check,
        'fail',
        subject,
        `${role.kind} ${role.name} allows ${describeRequest(first.request)} (${first.rule.source}); it is bound to no subject yet, but any subject bound to it ${impact}`,
        Object.fromEntries(
          matches.map((match, index) => [
            `rule[${index}]`,
            `${match.rule.source}: ${describeRequest(match.request)}`,
          ]),
        ),
      ),
    );
  }
  return results;
}
