import type { CheckResult, PostureCheck } from '../check.ts';
import { podTemplates } from '../pod-templates.ts';
import { makeResult, show, subjectOf } from '../results.ts';
import { namespaceOf, objectsOfKind } from '../snapshot-index.ts';
import { directBindings, serviceAccountName, tokenMount } from './service-account-support.ts';

export const defaultServiceAccountCheck: PostureCheck = {
  id: 'KP-044',
  title: 'Default service accounts not used and not bound',
  severity: 'medium',
  category: 'rbac',
  core: true,
  cis: ['4.1.5'],
  reads: ['serviceaccounts', 'rolebindings', 'pods', 'workloads'],
  remediation:
    "Set automountServiceAccountToken: false on every namespace's default ServiceAccount, remove bindings that name it, and give each workload its own service account.",
  evaluate(snapshot) {
    const results: CheckResult[] = [];
    for (const account of objectsOfKind(snapshot, 'ServiceAccount')) {
      if (account.metadata.name !== 'default') continue;
      const namespace = namespaceOf(account);
      const problems: string[] = [];
      const evidence: Record<string, string> = {
        automountServiceAccountToken: show(account.automountServiceAccountToken),
      };
      if (account.automountServiceAccountToken !== false) {
        problems.push(
          `automountServiceAccountToken is ${show(account.automountServiceAccountToken)} (want false)`,
        );
      }
      const bindings = directBindings(snapshot, namespace, 'default');
      if (bindings.length > 0) {
        const names = bindings.map(
          (binding) => `${binding.kind} ${binding.name} → ${binding.roleRef.kind} ${binding.roleRef.name}`,
        );
        problems.push(`it is bound by ${names.join(', ')}`);
        evidence.bindings = names.join('; ');
      }
      results.push(
        problems.length === 0
          ? makeResult(
              this,
              'pass',
              subjectOf(snapshot, account),
              `default service account of ${namespace} mounts no token and has no bindings`,
              evidence,
            )
          : makeResult(
              this,
              'fail',
              subjectOf(snapshot, account),
              `default service account of ${namespace}: ${problems.join('; ')}`,
              evidence,
            ),
      );
    }
    for (const template of podTemplates(snapshot)) {
      if (serviceAccountName(template) !== 'default') continue;
      const mount = tokenMount(snapshot, template);
      if (!mount.mounted) continue; // using the default account without its token exposes nothing
      const subject =
        template.file === undefined ? { ref: template.ref } : { ref: template.ref, file: template.file };
      results.push(
        makeResult(
          this,
          'fail',
          subject,
          `${template.specPath}.serviceAccountName is ${show(template.spec.serviceAccountName)}: the workload runs as the default service account with its token mounted (${mount.where})`,
          { [`${template.specPath}.serviceAccountName`]: show(template.spec.serviceAccountName) },
        ),
      );
    }
    return results;
  },
};
