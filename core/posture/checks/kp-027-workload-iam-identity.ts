import type { CheckResult, PostureCheck } from '../check.ts';
import { containersOf, list, podTemplates, record } from '../pod-templates.ts';
import { makeResult } from '../results.ts';
import type { ClusterSnapshot } from '../snapshot.ts';
import { namespaceOf, objectsOfKind } from '../snapshot-index.ts';

export const IRSA_ANNOTATION = 'eks.amazonaws.com/role-arn';

/** EKS add-ons that call AWS APIs, with the service account their pods run as. */
const AWS_CALLING_ADDONS: Readonly<Record<string, { namespace: string; serviceAccount: string }>> = {
  'vpc-cni': { namespace: 'kube-system', serviceAccount: 'aws-node' },
  'aws-ebs-csi-driver': { namespace: 'kube-system', serviceAccount: 'ebs-csi-controller-sa' },
  'aws-efs-csi-driver': { namespace: 'kube-system', serviceAccount: 'efs-csi-controller-sa' },
  'aws-mountpoint-s3-csi-driver': { namespace: 'kube-system', serviceAccount: 's3-csi-driver-sa' },
  'amazon-cloudwatch-observability': { namespace: 'amazon-cloudwatch', serviceAccount: 'cloudwatch-agent' },
};

/** Environment variables that show a container talks to AWS (set by hand, not by the IRSA webhook). */
const AWS_ENV_HINTS = new Set(['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_SDK_LOAD_CONFIG']);

/** How a service account gets its own IAM role, if it does: IRSA annotation or Pod Identity association. */
export function dedicatedIamRole(
  snapshot: ClusterSnapshot,
  namespace: string,
  name: string,
): string | undefined {
  const account = objectsOfKind(snapshot, 'ServiceAccount').find(
    (sa) => sa.metadata.name === name && namespaceOf(sa) === namespace,
  );
  const roleArn = account?.metadata.annotations?.[IRSA_ANNOTATION];
  if (typeof roleArn === 'string' && roleArn !== '') return `IRSA ${roleArn}`;
  const association = (snapshot.aws?.podIdentityAssociations ?? [])
    .map(record)
    .find((item) => item?.namespace === namespace && item.serviceAccount === name);
  if (association !== undefined)
    return `Pod Identity association ${String(association.associationArn ?? association.associationId ?? '')}`.trim();
  return undefined;
}

function addonResults(check: PostureCheck, snapshot: ClusterSnapshot): CheckResult[] {
  const results: CheckResult[] = [];
  for (const addon of (snapshot.aws?.addons ?? []).map(record)) {
    const name = typeof addon?.addonName === 'string' ? addon.addonName : '';
    const account = AWS_CALLING_ADDONS[name];
    if (addon === undefined || account === undefined) continue;
    const subject = { ref: { kind: 'EKSAddon', name } };
    const role =
      (typeof addon.serviceAccountRoleArn === 'string' && addon.serviceAccountRoleArn !== ''
        ? `serviceAccountRoleArn ${addon.serviceAccountRoleArn}`
        : undefined) ??
      (list(addon.podIdentityAssociations).length > 0 ? 'a Pod Identity association' : undefined) ??
      dedicatedIamRole(snapshot, account.namespace, account.serviceAccount);
    results.push(
      role !== undefined
        ? makeResult(check, 'pass', subject, `add-on ${name} uses its own IAM role (${role})`)
        : makeResult(
            check,
            'fail',
            subject,
            `add-on ${name} has no serviceAccountRoleArn, Pod Identity association or ${IRSA_ANNOTATION} on ${account.namespace}/${account.serviceAccount}: it runs with the node IAM role, shared by every pod on the node`,
            { serviceAccountRoleArn: 'not set' },
          ),
    );
  }
  return results;
}

function workloadResults(check: PostureCheck, snapshot: ClusterSnapshot): CheckResult[] {
  const results: CheckResult[] = [];
  for (const template of podTemplates(snapshot)) {
    const hints = containersOf(template).flatMap((entry) =>
      list(entry.container.env)
        .map(record)
        .filter((env) => typeof env?.name === 'string' && AWS_ENV_HINTS.has(env.name))
        .map((env) => `${entry.path}.env[${String(env?.name)}]`),
    );
    if (hints.length === 0) continue; // no sign that this workload calls AWS
    const serviceAccount =
      typeof template.spec.serviceAccountName === 'string' && template.spec.serviceAccountName !== ''
        ? template.spec.serviceAccountName
        : 'default';
    const role = dedicatedIamRole(snapshot, template.namespace, serviceAccount);
    const subject =
      template.file === undefined ? { ref: template.ref } : { ref: template.ref, file: template.file };
    const evidence = { [`${template.specPath}.serviceAccountName`]: serviceAccount, awsHint: hints[0] ?? '' };
    results.push(
      role !== undefined
        ? makeResult(
            check,
            'pass',
            subject,
            `service account ${serviceAccount} has its own IAM role (${role})`,
            evidence,
          )
        : makeResult(
            check,
            'fail',
            subject,
            `the workload calls AWS (${hints[0]}) but service account ${template.namespace}/${serviceAccount} has no ${IRSA_ANNOTATION} annotation or Pod Identity association: it uses the node IAM role`,
            evidence,
          ),
    );
  }
  return results;
}

export const workloadIamIdentityCheck: PostureCheck = {
  id: 'KP-027',
  title: 'Pods use IRSA / EKS Pod Identity instead of the node role',
  severity: 'medium',
  category: 'aws',
  core: true,
  cis: ['5.2.1'],
  reads: ['serviceaccounts', 'workloads', 'pods'],
  remediation:
    'Give each AWS-calling workload its own service account and IAM role: aws eks create-pod-identity-association --cluster-name <cluster> --namespace <ns> --service-account <sa> --role-arn <role>, or annotate the service account with eks.amazonaws.com/role-arn (IRSA).',
  evaluate(snapshot) {
    return [...addonResults(this, snapshot), ...workloadResults(this, snapshot)];
  },
};
