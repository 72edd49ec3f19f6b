import type { PostureCheck } from '../check.ts';
import { record } from '../pod-templates.ts';
import { makeResult, skipResult } from '../results.ts';

/**
 * IMDS settings (HttpTokens, HttpPutResponseHopLimit) live in the EC2 launch template of each node
 * group. DescribeNodegroup names the template but not its MetadataOptions, and kubeguard does not
 * call EC2, so the check names what to verify instead of guessing.
 */
export const imdsHopLimitCheck: PostureCheck = {
  id: 'KP-028',
  title: 'IMDSv2 required with hop limit 1 on nodes',
  severity: 'high',
  category: 'aws',
  core: true,
  cis: [],
  reads: ['eks:nodegroups'],
  remediation:
    'Use a launch template with MetadataOptions HttpTokens=required and HttpPutResponseHopLimit=1 for every node group (pods then cannot read the node role credentials), and give pods IAM roles through IRSA / Pod Identity.',
  evaluate(snapshot) {
    const nodegroups = (snapshot.aws?.nodegroups ?? []).map(record).filter((group) => group !== undefined);
    if (nodegroups.length === 0) {
      return [
        skipResult(
          this,
          snapshot,
          'no managed node groups: self-managed and Karpenter nodes keep IMDS settings in EC2 launch templates / EC2NodeClass, which kubeguard does not read',
        ),
      ];
    }
    return nodegroups.map((group) => {
      const name = typeof group.nodegroupName === 'string' ? group.nodegroupName : '(unnamed)';
      const template = record(group.launchTemplate);
      const where =
        template === undefined
          ? 'the launch template EKS generated for it'
          : `launch template ${String(template.name ?? template.id)} version ${String(template.version ?? '$Default')}`;
      return makeResult(
        this,
        'skip',
        { ref: { kind: 'EKSNodegroup', name } },
        `skipped: node group ${name} takes its IMDS settings from ${where}; DescribeNodegroup does not show MetadataOptions (needs ec2:DescribeLaunchTemplateVersions) — verify HttpTokens=required and HttpPutResponseHopLimit=1`,
      );
    });
  },
};
