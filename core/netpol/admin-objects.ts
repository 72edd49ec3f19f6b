import { z } from 'zod';
import { compileAdminPolicy, compileBaselinePolicy } from './admin.ts';
import { issuesOf, labelSelectorSchema } from './schemas.ts';
import { type AdminNetworkPolicy, type BaselineAdminNetworkPolicy, PROTOCOLS } from './types.ts';

/**
 * AdminNetworkPolicy and BaselineAdminNetworkPolicy objects as written or returned by the API
 * (`policy.networking.k8s.io/v1alpha1`, the experimental CRD's fields included). Unknown keys are
 * refused, not dropped: a field of a newer CRD version read as absent could turn a Deny into nothing.
 */

const selector = labelSelectorSchema;

const namespacedPod = z.strictObject({ namespaceSelector: selector, podSelector: selector });

const subject = z.strictObject({ namespaces: selector.optional(), pods: namespacedPod.optional() });

const protocol = z.enum(PROTOCOLS).optional();

const port = z.strictObject({
  portNumber: z.strictObject({ protocol, port: z.number().int() }).optional(),
  namedPort: z.string().optional(),
  portRange: z.strictObject({ protocol, start: z.number().int(), end: z.number().int() }).optional(),
});

const ingressPeer = z.strictObject({ namespaces: selector.optional(), pods: namespacedPod.optional() });

const egressPeer = z.strictObject({
  namespaces: selector.optional(),
  pods: namespacedPod.optional(),
  nodes: selector.optional(),
  networks: z.array(z.string()).optional(),
  domainNames: z.array(z.string()).optional(),
});

const ruleBase = {
  name: z.string().max(100).optional(),
  ports: z.array(port).max(100).optional(),
};

const adminSpec = z.strictObject({
  priority: z.number().int(),
  subject,
  ingress: z
    .array(
      z.strictObject({ ...ruleBase, action: z.enum(['Allow', 'Deny', 'Pass']), from: z.array(ingressPeer) }),
    )
    .max(100)
    .optional(),
  egress: z
    .array(
      z.strictObject({ ...ruleBase, action: z.enum(['Allow', 'Deny', 'Pass']), to: z.array(egressPeer) }),
    )
    .max(100)
    .optional(),
});

const baselineSpec = z.strictObject({
  subject,
  ingress: z
    .array(z.strictObject({ ...ruleBase, action: z.enum(['Allow', 'Deny']), from: z.array(ingressPeer) }))
    .max(100)
    .optional(),
  egress: z
    .array(z.strictObject({ ...ruleBase, action: z.enum(['Allow', 'Deny']), to: z.array(egressPeer) }))
    .max(100)
    .optional(),
});

const metadata = z.object({ name: z.string().min(1) });

const adminSchema = z.object({ metadata, spec: adminSpec });
const baselineSchema = z.object({ metadata, spec: baselineSpec });

export type AdminConversion<T> = { value: T } | { reason: string };

export function toAdminNetworkPolicy(object: unknown): AdminConversion<AdminNetworkPolicy> {
  return convert(object, adminSchema, 'AdminNetworkPolicy', (policy: AdminNetworkPolicy) =>
    compileAdminPolicy(policy),
  );
}

export function toBaselineAdminNetworkPolicy(object: unknown): AdminConversion<BaselineAdminNetworkPolicy> {
  return convert(object, baselineSchema, 'BaselineAdminNetworkPolicy', (policy: BaselineAdminNetworkPolicy) =>
    compileBaselinePolicy(policy),
  );
}

/**
 * The object as the evaluator's type, or why not: the schema first, then the rules it cannot
 * express (one peer field, CIDRs, the priority range, the baseline's name), checked by compiling.
 */
function convert<T extends AdminNetworkPolicy | BaselineAdminNetworkPolicy>(
  object: unknown,
  schema: typeof adminSchema | typeof baselineSchema,
  kind: T['kind'],
  compile: (policy: T) => unknown,
): AdminConversion<T> {
  const parsed = schema.safeParse(object);
  if (!parsed.success) return { reason: issuesOf(parsed.error) };
  const policy = {
    apiVersion: 'policy.networking.k8s.io/v1alpha1',
    kind,
    metadata: { name: parsed.data.metadata.name },
    spec: parsed.data.spec,
  } as T;
  try {
    compile(policy);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { reason: message.replace(/^invalid admin network policy: \S+ /, '') };
  }
  return { value: policy };
}
