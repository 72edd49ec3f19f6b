import { z } from 'zod';
import { DEFAULT_DETECTION_CONFIG, type DetectionConfig } from '../detection/config.ts';
import { ConfigError } from '../errors.ts';
import { SEVERITIES } from '../model/severity.ts';

/**
 * kubeguard's one configuration file (`kubeguard.config.json`), read by the CDK app at synth time
 * and by every function at cold start (the CDK app passes it in as the KUBEGUARD_CONFIG variable).
 * docs/configuration.md documents every field and its default.
 */
const kubernetesName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS-1123 label (lower-case letters, digits, -)')
  .max(63);

const clusterSchema = z.object({
  /** EKS cluster name. */
  name: z.string().regex(/^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/, 'must be a valid EKS cluster name'),
  /** AWS region of the cluster, e.g. us-east-1. */
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as us-east-1'),
  /** @default `/aws/eks/<name>/cluster` */
  auditLogGroup: z.string().min(1).optional(),
});

const slackChannel = z
  .string()
  .regex(/^[CGD][A-Z0-9]{2,}$|^#[a-z0-9_-]{1,80}$/, 'must be a channel id (C…) or #name');

const routeSchema = z.object({
  /** Exact cluster name; omitted = every cluster. */
  cluster: z.string().optional(),
  /** Namespace glob (`*` matches any run of characters); omitted = every namespace. */
  namespace: z.string().optional(),
  /** @default 'low' */
  minSeverity: z.enum(SEVERITIES).default('low'),
  channel: slackChannel,
});

const suppressionSchema = z.object({
  ruleId: z.string().optional(),
  cluster: z.string().optional(),
  namespace: z.string().optional(),
  principal: z.string().optional(),
  until: z.iso.datetime({ offset: true }),
  reason: z.string().min(1),
  createdBy: z.string().optional(),
});

const detectionSchema = z
  .object({
    imageAllowLists: z.record(z.string(), z.array(z.string())).optional(),
    principalAllowList: z.array(z.string()).optional(),
    namespaceAllowList: z.array(kubernetesName).optional(),
    rules: z
      .record(
        z.string().regex(/^KD-\d{3}$/, 'rule ids look like KD-001'),
        z.object({ enabled: z.boolean().optional(), severity: z.enum(SEVERITIES).optional() }),
      )
      .optional(),
    suppressions: z.array(suppressionSchema).optional(),
    denialBurst: z
      .object({ threshold: z.number().int().min(2), windowSeconds: z.number().int().min(10).max(86_400) })
      .optional(),
    /** KD-015: approved registry prefixes; unset = rule inactive. */
    allowedRegistries: z.array(z.string().min(1)).optional(),
    /** KD-066: non-system users allowed to use the API; unset = rule inactive. */
    allowedUsers: z.array(z.string().min(1)).optional(),
    /** KD-072: namespaces that may be created; unset = rule inactive. */
    allowedNamespaces: z.array(z.string().min(1)).optional(),
    /** KD-083: node names that may join; unset = rule inactive. */
    allowedNodes: z.array(z.string().min(1)).optional(),
  })
  .default({});

export const configSchema = z.object({
  clusters: z.array(clusterSchema).min(1, 'configure at least one cluster'),
  slack: z.object({
    /** Where findings go when no route matches. */
    defaultChannel: slackChannel,
    /** First matching route wins. @default [] */
    routes: z.array(routeSchema).default([]),
    /** Slack user group id (S…) mentioned on critical findings. */
    criticalMention: z
      .string()
      .regex(/^S[A-Z0-9]+$/, 'must be a user group id such as S0123ABC')
      .optional(),
  }),
  detection: detectionSchema,
});

export type KubeguardConfigInput = z.input<typeof configSchema>;
type ParsedConfig = z.output<typeof configSchema>;

export interface ClusterConfig {
  name: string;
  region: string;
  auditLogGroup: string;
}

export interface KubeguardConfig {
  clusters: readonly ClusterConfig[];
  slack: ParsedConfig['slack'];
  detection: DetectionConfig;
}

function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** Validates raw configuration (parsed JSON) and returns it typed, defaulted and frozen. */
export function parseConfig(raw: unknown, source = 'configuration'): KubeguardConfig {
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(`invalid ${source}: ${formatIssues(result.error)}`, { cause: result.error });
  }
  const parsed = result.data;
  const names = parsed.clusters.map((c) => c.name);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate !== undefined)
    throw new ConfigError(`invalid ${source}: cluster "${duplicate}" is listed twice`);
  const d = parsed.detection;
  return deepFreeze({
    clusters: parsed.clusters.map((c) => ({
      ...c,
      auditLogGroup: c.auditLogGroup ?? `/aws/eks/${c.name}/cluster`,
    })),
    slack: parsed.slack,
    detection: {
      imageAllowLists: { ...DEFAULT_DETECTION_CONFIG.imageAllowLists, ...d.imageAllowLists },
      principalAllowList: d.principalAllowList ?? DEFAULT_DETECTION_CONFIG.principalAllowList,
      namespaceAllowList: d.namespaceAllowList ?? DEFAULT_DETECTION_CONFIG.namespaceAllowList,
      rules: d.rules ?? {},
      suppressions: d.suppressions ?? [],
      denialBurst: d.denialBurst ?? DEFAULT_DETECTION_CONFIG.denialBurst,
      ...(d.allowedRegistries === undefined ? {} : { allowedRegistries: d.allowedRegistries }),
      ...(d.allowedUsers === undefined ? {} : { allowedUsers: d.allowedUsers }),
      ...(d.allowedNamespaces === undefined ? {} : { allowedNamespaces: d.allowedNamespaces }),
      ...(d.allowedNodes === undefined ? {} : { allowedNodes: d.allowedNodes }),
    },
  });
}

/** The unknown-cluster message the design guide asks for. */
export function clusterNotConfigured(name: string, config: KubeguardConfig): ConfigError {
  const known = config.clusters.map((c) => c.name).join(', ');
  return new ConfigError(
    `unknown cluster "${name}"; configured clusters: ${known} — add it to kubeguard.config.json`,
  );
}
