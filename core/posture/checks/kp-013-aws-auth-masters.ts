import { type AwsAuthMappings, readAwsAuthMappings } from '../../model/aws-auth.ts';
import type { CheckResult, PostureCheck } from '../check.ts';
import { makeResult, show, subjectOf } from '../results.ts';
import type { KubeObject } from '../snapshot.ts';
import { objectsOfKind } from '../snapshot-index.ts';

export type { AwsAuthMapping, AwsAuthMappings } from '../../model/aws-auth.ts';

export function isAwsAuth(object: KubeObject): boolean {
  return object.metadata.name === 'aws-auth' && (object.metadata.namespace ?? 'default') === 'kube-system';
}

/** The IAM principals the aws-auth ConfigMap maps (`data.mapRoles`, `data.mapUsers`, YAML strings). */
export function awsAuthMappings(configMap: KubeObject): AwsAuthMappings {
  return readAwsAuthMappings(configMap.data);
}

export const awsAuthMastersCheck: PostureCheck = {
  id: 'KP-013',
  title: 'aws-auth ConfigMap maps no IAM principal to system:masters',
  severity: 'high',
  category: 'aws',
  core: true,
  cis: ['5.5.1'],
  reads: ['configmaps'],
  remediation:
    'In kube-system/aws-auth, replace the system:masters group with a group bound to a narrower (Cluster)Role, or move the principal to an access entry with a scoped access policy.',
  evaluate(snapshot) {
    const results: CheckResult[] = [];
    for (const configMap of objectsOfKind(snapshot, 'ConfigMap').filter(isAwsAuth)) {
      const subject = subjectOf(snapshot, configMap);
      const { mappings, errors } = awsAuthMappings(configMap);
      for (const error of errors) {
        results.push(
          makeResult(
            this,
            'fail',
            subject,
            `data.${error.key} is not valid YAML or uses YAML kubeguard does not read (${error.message}): the mappings cannot be reviewed`,
          ),
        );
      }
      for (const mapping of mappings) {
        const evidence = { [`data.${mapping.path}.groups`]: show(mapping.groups) };
        if (mapping.groups.includes('system:masters')) {
          results.push(
            makeResult(
              this,
              'fail',
              subject,
              `data.${mapping.path} maps ${mapping.arn} to group system:masters: unrestricted cluster-admin that bypasses RBAC and cannot be revoked by RBAC`,
              { ...evidence, [`data.${mapping.path}.arn`]: mapping.arn },
            ),
          );
        } else {
          results.push(
            makeResult(
              this,
              'pass',
              subject,
              `data.${mapping.path} maps ${mapping.arn} to ${show(mapping.groups)}`,
              evidence,
            ),
          );
        }
      }
    }
    return results;
  },
};
