import type { PostureCheck } from '../check.ts';
import { record } from '../pod-templates.ts';
import { makeResult, show } from '../results.ts';
import { eksCluster, eksClusterSubject, evaluateCluster } from './aws-support.ts';
import { authenticationMode } from './kp-010-authentication-mode.ts';

export const clusterCreatorAdminCheck: PostureCheck = {
  id: 'KP-011',
  title: 'Cluster creator not left as an implicit administrator',
  severity: 'medium',
  category: 'aws',
  core: false,
  cis: ['4.1.7'],
  reads: ['eks:cluster'],
  remediation:
    "Create clusters with --access-config bootstrapClusterCreatorAdminPermissions=false; on existing clusters move to access entries and delete or narrow the creator's AmazonEKSClusterAdminPolicy entry.",
  evaluate(snapshot) {
    const cluster = eksCluster(snapshot);
    const bootstrap = record(cluster?.accessConfig)?.bootstrapClusterCreatorAdminPermissions;
    const mode = cluster === undefined ? undefined : authenticationMode(cluster);
    if (
      cluster !== undefined &&
      bootstrap === undefined &&
      (mode === 'API' || mode === 'API_AND_CONFIG_MAP')
    ) {
      // Older DescribeCluster responses omit the flag; when the cluster moved to access entries EKS
      // turned the creator's implicit admin into a visible access entry, which KP-012 reviews.
      return [
        makeResult(
          this,
          'skip',
          eksClusterSubject(cluster, snapshot),
          "skipped: DescribeCluster does not report accessConfig.bootstrapClusterCreatorAdminPermissions; the creator's admin access, if any, is an access entry reviewed by KP-012",
        ),
      ];
    }
    return evaluateCluster(this, snapshot, () => {
      const evidence = {
        'cluster.accessConfig.bootstrapClusterCreatorAdminPermissions': show(bootstrap),
        'cluster.accessConfig.authenticationMode': show(mode),
      };
      if (bootstrap === false) {
        return {
          pass: true,
          message: 'the cluster creator received no implicit admin permissions',
          evidence,
        };
      }
      if (bootstrap === true) {
        return {
          pass: false,
          message:
            'cluster.accessConfig.bootstrapClusterCreatorAdminPermissions is true: the IAM principal that created the cluster holds AmazonEKSClusterAdminPolicy',
          evidence,
        };
      }
      return {
        pass: false,
        message: `authenticationMode is ${show(mode)}: the IAM principal that created the cluster has invisible system:masters access that no RBAC or aws-auth entry shows and that cannot be revoked`,
        evidence,
      };
    });
  },
};
