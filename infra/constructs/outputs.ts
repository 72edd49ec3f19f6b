import { CfnOutput, type Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/**
 * The names of the stack outputs people and scripts use (docs/deploy.md, docs/operations.md):
 * `aws cloudformation describe-stacks --query "Stacks[0].Outputs[?OutputKey=='DeliveryFunctionName']"`.
 * Each is the output's logical id, whatever construct made it, and `<prefix>-<name>` is its export.
 */
export const FUNCTION_NAME_OUTPUTS = Object.freeze({
  'guardduty-findings': 'GuardDutyFindingsFunctionName',
  'image-findings': 'ImageFindingsFunctionName',
  'audit-logs': 'AuditLogsFunctionName',
  delivery: 'DeliveryFunctionName',
  'posture-audit': 'PostureAuditFunctionName',
  'slack-ingress': 'SlackIngressFunctionName',
  'action-worker': 'ActionWorkerFunctionName',
  digest: 'DigestFunctionName',
  'alarm-notifier': 'AlarmNotifierFunctionName',
} as const);

/** An output whose logical id is `name` wherever `scope` sits in the construct tree. */
export function namedOutput(
  scope: Construct,
  name: string,
  props: { value: string; description: string },
): CfnOutput {
  const output = new CfnOutput(scope, name, props);
  // Outputs inside a construct otherwise get a path hash in their logical id.
  output.overrideLogicalId(name);
  return output;
}

/**
 * Exports every output of `stack` as `<prefix>-<logical id>`, and refuses (at synthesis) an output
 * whose logical id is not a stable name: one made inside a construct without `namedOutput` or
 * `overrideLogicalId` carries a hash of its construct path, which changes when the tree does.
 * Call it last in the stack's constructor.
 */
export function exportStackOutputs(stack: Stack, prefix: string): void {
  for (const output of stack.node.findAll()) {
    if (!(output instanceof CfnOutput)) continue;
    const logicalId = stack.resolve(output.logicalId) as string;
    const direct = output.node.scope === stack && logicalId === output.node.id;
    if (!direct && stack.resolve(stack.getLogicalId(output)) === logicalId) {
      throw new Error(
        `output ${output.node.path} has the logical id ${logicalId}, derived from its construct path; ` +
          'create it with namedOutput() (infra/constructs/outputs.ts) or call overrideLogicalId so its name stays stable',
      );
    }
    output.exportName ??= `${prefix}-${logicalId}`;
  }
}
