import type { PostureCheck } from '../check.ts';
import { podTemplates } from '../pod-templates.ts';
import { makeResult } from '../results.ts';
import { directBindings, serviceAccountName, tokenMount } from './service-account-support.ts';

export const serviceAccountTokenMountCheck: PostureCheck = {
  id: 'KP-045',
  title: 'Service-account tokens mounted only where the API is used',
  severity: 'medium',
  category: 'rbac',
  core: true,
  cis: ['4.1.6'],
  reads: ['pods', 'workloads', 'serviceaccounts', 'rolebindings'],
  remediation:
    'Set automountServiceAccountToken: false in the pod spec (or on its service account) for workloads that do not call the Kubernetes API.',
  evaluate(snapshot) {
    return podTemplates(snapshot).map((template) => {
      const subject =
        template.file === undefined ? { ref: template.ref } : { ref: template.ref, file: template.file };
      const mount = tokenMount(snapshot, template);
      const evidence = { automountServiceAccountToken: mount.where };
      if (!mount.mounted)
        return makeResult(this, 'pass', subject, `no token is mounted (${mount.where} is false)`, evidence);
      const account = serviceAccountName(template);
      // A token is "necessary" when the service account was given API permissions.
      const bindings = directBindings(snapshot, template.namespace, account);
      if (bindings.length > 0) {
        return makeResult(
          this,
          'pass',
          subject,
          `the token is mounted and service account ${account} is bound by ${bindings[0]?.kind} ${bindings[0]?.name}: the workload uses the API`,
          evidence,
        );
      }
      return makeResult(
        this,
        'fail',
        subject,
        `a token of service account ${template.namespace}/${account} is mounted (${mount.where}) although no binding gives that account API permissions: anyone in the container can use it`,
        evidence,
      );
    });
  },
};
