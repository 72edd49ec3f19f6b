import type { PostureCheck } from '../check.ts';
import { list, record } from '../pod-templates.ts';
import { show } from '../results.ts';
import { evaluateCluster, type Outcome, strings } from './aws-support.ts';

export const secretsEncryptionCheck: PostureCheck = {
  id: 'KP-003',
  title: 'Kubernetes Secrets envelope-encrypted with a KMS key',
  severity: 'high',
  category: 'aws',
  core: true,
  cis: ['5.3.1'],
  reads: ['eks:cluster'],
  remediation:
    'aws eks associate-encryption-config --cluster-name <cluster> --encryption-config \'[{"resources":["secrets"],"provider":{"keyArn":"<kms-key-arn>"}}]\' (one-way: it cannot be removed later)',
  evaluate(snapshot) {
    return evaluateCluster(this, snapshot, (cluster): Outcome => {
      const entries = list(cluster.encryptionConfig).map(record);
      const secretsEntry = entries.find((entry) => strings(entry?.resources).includes('secrets'));
      const keyArn = record(secretsEntry?.provider)?.keyArn;
      if (typeof keyArn === 'string' && keyArn !== '') {
        return {
          pass: true,
          message: `Secrets are envelope-encrypted with KMS key ${keyArn}`,
          evidence: { 'cluster.encryptionConfig[].provider.keyArn': keyArn },
        };
      }
      const message =
        cluster.encryptionConfig === undefined
          ? 'cluster.encryptionConfig is absent: Secrets are not envelope-encrypted with a KMS key you control'
          : `cluster.encryptionConfig has no entry for "secrets" with a provider.keyArn (found ${show(cluster.encryptionConfig)})`;
      return {
        pass: false,
        message,
        evidence: { 'cluster.encryptionConfig': show(cluster.encryptionConfig) },
      };
    });
  },
};
