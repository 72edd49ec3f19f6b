import * as z from 'zod/mini';
import { DEFAULT_DETECTION_CONFIG, type DetectionConfig } from '../detection/config.ts';
import { ConfigError } from '../errors.ts';
import { SEVERITIES } from '../model/severity.ts';

/**
 * kubeguard's one configuration file (`kubeguard.config.json`), read by the CDK app at synth time
 * and by every function at cold start (the CDK app passes it in as the KUBEGUARD_CONFIG variable).
 * docs/configuration.md documents every field and its default.
 *
 * Written with `zod/mini`: every Lambda validates its configuration at cold start, and the mini
 * build tree-shakes to a fraction of the full zod bundle (decision D11).
 */
const pattern = (regex: RegExp, message: string) => z.string().check(z.regex(regex, message));
const nonEmpty = () => z.string().check(z.minLength(1));
const optionalString = () => z.optional(z.string());

const kubernetesName = z
  .string()
  .check(
    z.regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS-1123 label (lower-case letters, digits, -)'),
    z.maxLength(63),
  );

const clusterSchema = z.object({
  /** EKS cluster name. */
  name: pattern(/^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/, 'must be a valid EKS cluster name'),
  /** AWS region of the cluster, e.g. us-east-1. */
  region: pattern(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as us-east-1'),
  /** @default `/aws/eks/<name>/cluster` */
  auditLogGroup: z.optional(nonEmpty()),
});

const slackChannel = pattern(/^[CGD][A-Z0-9]{2,}$|^#[a-z0-9_-]{1,80}$/, 'must be a channel id (C…) or #name');

const routeSchema = z.object({
  /** Exact cluster name; omitted = every cluster. */
  cluster: optionalString(),
  /** Namespace glob (`*` matches any run of characters); omitted = every namespace. */
  namespace: optionalString(),
  /**
   * The least severe incident this route takes. LOW incidents are posted only where a route says
   * `"minSeverity": "low"`; otherwise they are stored and listed but stay quiet. @default 'medium'
   */
  minSeverity: z._default(z.enum(SEVERITIES), 'medium'),
  channel: slackChannel,
});

const suppressionSchema = z.object({
  ruleId: optionalString(),
  cluster: optionalString(),
  namespace: optionalString(),
  principal: optionalString(),
  until: z.iso.datetime({ offset: true }),
  reason: nonEmpty(),
  createdBy: optionalString(),
});

const detectionSchema = z._default(
  z.object({
    imageAllowLists: z.optional(z.record(z.string(), z.array(z.string()))),
    principalAllowList: z.optional(z.array(z.string())),
    namespaceAllowList: z.optional(z.array(kubernetesName)),
    rules: z.optional(
      z.record(
        pattern(/^KD-\d{3}$/, 'rule ids look like KD-001'),
        z.object({ enabled: z.optional(z.boolean()), severity: z.optional(z.enum(SEVERITIES)) }),
      ),
    ),
    suppressions: z.optional(z.array(suppressionSchema)),
    denialBurst: z.optional(
      z.object({
        threshold: z.int().check(z.gte(2)),
        windowSeconds: z.int().check(z.gte(10), z.lte(86_400)),
      }),
    ),
    /** KD-015: approved registry prefixes; unset = rule inactive. */
    allowedRegistries: z.optional(z.array(nonEmpty())),
    /** KD-066: non-system users allowed to use the API; unset = rule inactive. */
    allowedUsers: z.optional(z.array(nonEmpty())),
    /** KD-072: namespaces that may be created; unset = rule inactive. */
    allowedNamespaces: z.optional(z.array(nonEmpty())),
    /** KD-083: node names that may join; unset = rule inactive. */
    allowedNodes: z.optional(z.array(nonEmpty())),
  }),
  {},
);

/** An unqualified Lambda function ARN, as a secret's RotationLambdaARN names its rotation function. */
const lambdaFunctionArn = pattern(
  /^arn:aws(-[a-z]+)*:lambda:[a-z]{2}(-[a-z]+)+-\d:\d{12}:function:[A-Za-z0-9_-]{1,64}$/,
  'must be a Lambda function ARN such as arn:aws:lambda:us-east-1:111122223333:function:rotate-db',
);

const COOLDOWN_RANGE = 'must be a whole number of minutes from 1 to 1440 (a day)';
const ROLLOUT_WAIT_RANGE = 'must be a whole number of seconds from 0 to 600';

const remediationSchema = z._default(
  z.object({
    /** The only functions the worker may invoke (RotateSecret starts them); [] = none. @default [] */
    rotationFunctionArns: z._default(z.array(lambdaFunctionArn), []),
    /** Minutes a rotation holds its secret: another rotation of it, by any click, is not started. @default 15 */
    rotationCooldownMinutes: z._default(
      z.int(COOLDOWN_RANGE).check(z.gte(1, COOLDOWN_RANGE), z.lte(1440, COOLDOWN_RANGE)),
      15,
    ),
    /** Seconds rotate-secret waits for the workloads it restarted to roll out. @default 180 */
    rolloutWaitSeconds: z._default(
      z.int(ROLLOUT_WAIT_RANGE).check(z.gte(0, ROLLOUT_WAIT_RANGE), z.lte(600, ROLLOUT_WAIT_RANGE)),
      180,
    ),
  }),
  { rotationFunctionArns: [], rotationCooldownMinutes: 15, rolloutWaitSeconds: 180 },
);

const WINDOW_RANGE = 'must be a whole number of minutes from 0 to 1440 (a day)';

const incidentsSchema = z._default(
  z.object({
    /**
     * Minutes before an incident's first or after its last occurrence in which a GuardDuty finding
     * about the same cluster, namespace, target and actor joins it rather than posting anew. @default 15
     */
    joinWindowMinutes: z._default(
      z.int(WINDOW_RANGE).check(z.gte(0, WINDOW_RANGE), z.lte(1440, WINDOW_RANGE)),
      15,
    ),
  }),
  { joinWindowMinutes: 15 },
);

export const configSchema = z.object({
  clusters: z.array(clusterSchema).check(z.minLength(1, 'configure at least one cluster')),
  slack: z.object({
    /** Where findings go when no route matches. */
    defaultChannel: slackChannel,
    /** First matching route wins. @default [] */
    routes: z._default(z.array(routeSchema), []),
    /** Slack user group id (S…) mentioned on critical findings. */
    criticalMention: z.optional(pattern(/^S[A-Z0-9]+$/, 'must be a user group id such as S0123ABC')),
  }),
  detection: detectionSchema,
  incidents: incidentsSchema,
  remediation: remediationSchema,
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
  incidents: { joinWindowMinutes: number };
  remediation: {
    rotationFunctionArns: readonly string[];
    rotationCooldownMinutes: number;
    rolloutWaitSeconds: number;
  };
}

function formatIssues(error: {
  issues: readonly { path: readonly PropertyKey[]; message: string }[];
}): string {
  return error.issues
    .map(
      (issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)'}: ${issue.message}`,
    )
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
    incidents: parsed.incidents,
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
    remediation: {
      ...parsed.remediation,
      rotationFunctionArns: [...new Set(parsed.remediation.rotationFunctionArns)],
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
