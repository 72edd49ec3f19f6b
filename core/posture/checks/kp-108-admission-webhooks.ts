import type { CheckOptions, CheckResult, PostureCheck } from '../check.ts';
import { dig, list } from '../pod-templates.ts';
import { makeResult, subjectOf } from '../results.ts';
import type { ClusterSnapshot } from '../snapshot.ts';
import { objectsOfKind } from '../snapshot-index.ts';

/** Webhook configurations EKS and its AWS-managed add-ons install. */
export const EKS_MANAGED_WEBHOOKS: readonly string[] = [
  'pod-identity-webhook',
  'vpc-resource-mutating-webhook',
  'vpc-resource-validating-webhook',
  'eks-aws-auth-configmap-validation-webhook',
  '0500-amazon-eks-fargate-mutation.amazonaws.com',
  'aws-load-balancer-webhook',
  'elbv2.k8s.aws',
];

/** A webhook configuration sees (and, when mutating, can rewrite) every object it matches. */
export const kp108: PostureCheck = {
  id: 'KP-108',
  title: 'Admission webhooks reviewed',
  severity: 'medium',
  category: 'network',
  core: false,
  cis: [],
  reads: ['webhooks'],
  remediation:
    'Review the webhook configuration (its service, rules and failurePolicy); delete it if unknown, else add its name to approvedWebhooks.',
  evaluate(snapshot: ClusterSnapshot, options: CheckOptions = {}): CheckResult[] {
    const known = new Set([...EKS_MANAGED_WEBHOOKS, ...(options.approvedWebhooks ?? [])]);
    return objectsOfKind(snapshot, 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration').map(
      (configuration) => {
        const subject = subjectOf(snapshot, configuration);
        const name = configuration.metadata.name;
        if (known.has(name))
          return makeResult(kp108, 'pass', subject, `"${name}" is a reviewed webhook configuration`);
        const targets = list(dig(configuration, 'webhooks'))
          .map((webhook) => {
            const service = dig(webhook, 'clientConfig', 'service');
            const url = dig(webhook, 'clientConfig', 'url');
            return service !== undefined
              ? `${String(dig(service, 'namespace'))}/${String(dig(service, 'name'))}`
              : String(url ?? '(no client)');
          })
          .join(', ');
        return makeResult(
          kp108,
          'fail',
          subject,
          `${configuration.kind} "${name}" is not in the reviewed list (calls ${targets || 'nothing'})`,
          {
            'metadata.name': JSON.stringify(name),
            'webhooks[].clientConfig': targets || '(none)',
          },
        );
      },
    );
  },
};
