import {
  APPROVAL_ACTIONS,
  APPROVAL_MINUTES_RANGE,
  APPROVER_ROLES,
  DEFAULT_APPROVAL_MINUTES,
  isApprovalAction,
} from '../authz/approval.ts';
import { type AuthorizationConfig, ROLES } from '../authz/policy.ts';
import { DEFAULT_DETECTION_CONFIG, type DetectionConfig } from '../detection/config.ts';
import type { DigestSettings } from '../digest/subscriptions.ts';
import { isTimeZone } from '../digest/time-zone.ts';
import { ConfigError } from '../errors.ts';
import { SEVERITIES } from '../model/severity.ts';
import * as z from '../zod.ts';

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

const awsRegion = () => pattern(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as us-east-1');
const accountId = () => pattern(/^\d{12}$/, 'must be a 12-digit AWS account id such as 111122223333');

const clusterSchema = z.object({
  /** EKS cluster name. */
  name: pattern(/^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/, 'must be a valid EKS cluster name'),
  /** AWS region of the cluster, e.g. us-east-1. */
  region: awsRegion(),
  /** Account of the cluster: the home account, or one of `accounts`. @default the home account */
  account: z.optional(accountId()),
  /** @default `/aws/eks/<name>/cluster` */
  auditLogGroup: z.optional(nonEmpty()),
});

/** The role kubeguard assumes in a member account (infra/stacks/member-account-stack.ts creates it). */
export const DEFAULT_MEMBER_ROLE_NAME = 'kubeguard-member';

/** An account other than the home account whose clusters kubeguard watches and acts on. */
const memberAccountSchema = z.object({
  id: accountId(),
  /** Shown beside the id in alerts: `prod (222233334444)`. */
  name: pattern(
    /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/,
    'must be a short name such as prod (letters, digits, space, ".", "_", "-"; at most 64)',
  ),
  /** @default `arn:aws:iam::<id>:role/kubeguard-member` */
  roleArn: z.optional(
    pattern(
      /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/,
      'must be an IAM role ARN such as arn:aws:iam::222233334444:role/kubeguard-member',
    ),
  ),
  /** The external id the member role's trust policy requires (sts:ExternalId). */
  externalId: pattern(
    /^[\w+=,.@:/-]{2,1224}$/,
    'must be 2 to 1224 characters: letters, digits and + = , . @ : / _ -',
  ),
});

/** Where the state, the bot and the workers live (infra: the home region's stacks). */
const homeSchema = z.object({
  /** The account kubeguard is deployed to; clusters without `account` are in it. @default unset */
  account: z.optional(accountId()),
  /** @default the region of clusters[0] */
  region: z.optional(awsRegion()),
});

const slackChannel = pattern(/^[CGD][A-Z0-9]{2,}$|^#[a-z0-9_-]{1,80}$/, 'must be a channel id (C…) or #name');

const routeSchema = z.object({
  /** Exact cluster name; omitted = every cluster. */
  cluster: optionalString(),
  /** Account id of the finding (the home account or one of `accounts`); omitted = every account. */
  account: z.optional(accountId()),
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

/**
 * Where the action worker runs for clusters whose API endpoint is private: subnets of the clusters'
 * VPC and security groups the endpoint admits (Lambda allows 16 subnets and 5 security groups).
 */
const workerVpcSchema = z.object({
  subnetIds: z
    .array(pattern(/^subnet-[0-9a-f]{8,17}$/, 'must be a subnet id such as subnet-0123456789abcdef0'))
    .check(z.minLength(1, 'list at least one subnet'), z.maxLength(16, 'Lambda allows at most 16 subnets')),
  securityGroupIds: z
    .array(pattern(/^sg-[0-9a-f]{8,17}$/, 'must be a security group id such as sg-0123456789abcdef0'))
    .check(
      z.minLength(1, 'list at least one security group'),
      z.maxLength(5, 'Lambda allows at most 5 security groups'),
    ),
});

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
    /** Runs the action worker in these subnets (private cluster endpoints); omitted = no VPC. */
    workerVpc: z.optional(workerVpcSchema),
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

const CACHE_RANGE = 'must be a whole number of seconds from 0 to 3600';

const APPROVAL_MINUTES = `must be a whole number of minutes from ${APPROVAL_MINUTES_RANGE.min} to ${APPROVAL_MINUTES_RANGE.max}`;

/**
 * One two-person approval rule (docs/configuration.md `authorization.approvals`). Action and cluster
 * names are checked by checkApprovals, so the error names the unknown value.
 */
const approvalRuleSchema = z.object({
  actions: z.array(nonEmpty()).check(z.minLength(1, 'list at least one action, such as isolate-pod')),
  /** Configured cluster names; omitted = every cluster. */
  clusters: z.optional(
    z
      .array(nonEmpty())
      .check(z.minLength(1, 'list at least one cluster, or omit the field for every cluster')),
  ),
  /** @default 'admin' */
  approverRole: z._default(z.enum(APPROVER_ROLES), 'admin'),
  /** @default 30 */
  withinMinutes: z._default(
    z
      .int(APPROVAL_MINUTES)
      .check(
        z.gte(APPROVAL_MINUTES_RANGE.min, APPROVAL_MINUTES),
        z.lte(APPROVAL_MINUTES_RANGE.max, APPROVAL_MINUTES),
      ),
    DEFAULT_APPROVAL_MINUTES,
  ),
});

/** Slack roles for the bot (core/authz/policy.ts); docs/configuration.md `authorization`. */
const authorizationSchema = z._default(
  z.object({
    /** Who holds which role; no grant = nobody may use the bot. @default [] */
    grants: z._default(
      z.array(
        z.object({
          role: z.enum(ROLES),
          users: z._default(
            z.array(pattern(/^[UW][A-Z0-9]{2,30}$/, 'must be a Slack user id such as U0123ABC')),
            [],
          ),
          userGroups: z._default(
            z.array(pattern(/^S[A-Z0-9]{2,30}$/, 'must be a Slack user group id such as S0123ABC')),
            [],
          ),
          /** Configured cluster names; omitted = every cluster. */
          clusters: z.optional(
            z
              .array(nonEmpty())
              .check(z.minLength(1, 'list at least one cluster, or omit the field for every cluster')),
          ),
        }),
      ),
      [],
    ),
    /** Shown in every denial: whom to ask for a role. */
    contact: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
    /** Seconds user-group membership read from Slack is reused. @default 60 */
    userGroupCacheSeconds: z._default(
      z.int(CACHE_RANGE).check(z.gte(0, CACHE_RANGE), z.lte(3600, CACHE_RANGE)),
      60,
    ),
    /** Actions that need a second person's approval (core/authz/approval.ts); absent = none. */
    approvals: z.optional(z.array(approvalRuleSchema)),
  }),
  { grants: [], userGroupCacheSeconds: 60 },
);

/** Posture digests (core/digest); docs/configuration.md `digest`. */
const digestSchema = z._default(
  z.object({
    /** The least role that may subscribe a channel (a DM digest needs viewer). @default 'admin' */
    channelSubscriberRole: z._default(z.enum(ROLES), 'admin'),
    /** IANA zone whose 09:00 channel digests are sent at. @default 'UTC' */
    channelTimeZone: z._default(
      z.string().check(z.refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin or UTC')),
      'UTC',
    ),
    /** The namespace label naming a namespace's owner, shown beside the top risks. @default 'owner' */
    ownerLabel: z._default(
      pattern(
        /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/,
        'must be a Kubernetes label key such as owner or example.com/team',
      ),
      'owner',
    ),
  }),
  { channelSubscriberRole: 'admin', channelTimeZone: 'UTC', ownerLabel: 'owner' },
);

const OBJECT_LOCK_DAYS = 'must be a whole number of days from 1 to 36500 (100 years)';
const URL_EXPIRY_HOURS =
  'must be a whole number of hours from 1 to 168: a presigned URL lives at most 7 days (SigV4), less if the worker role’s session ends first';

/**
 * Compliance evidence packs (core/evidence-pack); docs/configuration.md `evidence`. `channel` and
 * `schedule`: the pack of the previous month, built on the 1st at 06:00 UTC, posted there.
 * `objectLock`: the retention each stored pack gets (the bucket must have Object Lock enabled,
 * docs/deploy.md). `urlExpiryHours`: how long the link in Slack works.
 */
const evidenceSchema = z._default(
  z
    .object({
      /** Where the monthly pack is posted. Required when `schedule` is on. */
      channel: z.optional(slackChannel),
      /** Build and post the previous month's pack on the 1st of every month. @default false */
      schedule: z._default(z.boolean(), false),
      /** Object Lock retention of every stored pack; absent = the bucket's default (none unless set). */
      objectLock: z.optional(
        z.object({
          /** GOVERNANCE: removable with s3:BypassGovernanceRetention; COMPLIANCE: by nobody until it ends. */
          mode: z.enum(['GOVERNANCE', 'COMPLIANCE'], 'must be GOVERNANCE or COMPLIANCE'),
          days: z.int(OBJECT_LOCK_DAYS).check(z.gte(1, OBJECT_LOCK_DAYS), z.lte(36500, OBJECT_LOCK_DAYS)),
        }),
      ),
      /** Hours the link to a pack works. @default 168 (7 days, the most a presigned URL allows) */
      urlExpiryHours: z._default(
        z.int(URL_EXPIRY_HOURS).check(z.gte(1, URL_EXPIRY_HOURS), z.lte(168, URL_EXPIRY_HOURS)),
        168,
      ),
    })
    .check(
      z.refine((evidence) => !evidence.schedule || evidence.channel !== undefined, {
        message:
          'evidence.schedule is on but evidence.channel is not set: name the channel the monthly pack is posted to (C… or #name), or set schedule to false',
        path: ['channel'],
      }),
    ),
  { schedule: false, urlExpiryHours: 168 },
);

const AGE_DAYS_RANGE = 'must be a whole number of days from 1 to 365';

/** Posture audit settings (core/posture/check.ts CheckOptions); docs/configuration.md `posture`. */
const postureSchema = z._default(
  z.object({
    /** KP-093: days an active critical Inspector finding may stay open on a running image. @default 14 (the check's) */
    criticalImageFindingMaxAgeDays: z.optional(
      z.int(AGE_DAYS_RANGE).check(z.gte(1, AGE_DAYS_RANGE), z.lte(365, AGE_DAYS_RANGE)),
    ),
  }),
  {},
);

export const configSchema = z.object({
  home: z.optional(homeSchema),
  /** Member accounts (not the home account). @default [] */
  accounts: z._default(z.array(memberAccountSchema), []),
  clusters: z.array(clusterSchema).check(z.minLength(1, 'configure at least one cluster')),
  slack: z.object({
    /** Where findings go when no route matches. */
    defaultChannel: slackChannel,
    /** First matching route wins. @default [] */
    routes: z._default(z.array(routeSchema), []),
    /** Slack user group id (S…) mentioned on critical findings. */
    criticalMention: z.optional(pattern(/^S[A-Z0-9]+$/, 'must be a user group id such as S0123ABC')),
    /** Where the bot posts kubeguard's own alarms (errors, backlog, silent clusters); unset = SNS only. */
    opsChannel: z.optional(slackChannel),
  }),
  detection: detectionSchema,
  incidents: incidentsSchema,
  remediation: remediationSchema,
  authorization: authorizationSchema,
  digest: digestSchema,
  posture: postureSchema,
  evidence: evidenceSchema,
});

export type KubeguardConfigInput = z.input<typeof configSchema>;
type ParsedConfig = z.output<typeof configSchema>;

export interface ClusterConfig {
  name: string;
  region: string;
  /** A member account's id; undefined = the home account. */
  account?: string;
  auditLogGroup: string;
}

export interface MemberAccount {
  id: string;
  name: string;
  /** The role kubeguard assumes there, with `externalId`. */
  roleArn: string;
  externalId: string;
}

export interface KubeguardConfig {
  /** The home account (when configured) and region: state, bot and workers. */
  home: { account?: string; region: string };
  accounts: readonly MemberAccount[];
  clusters: readonly ClusterConfig[];
  slack: ParsedConfig['slack'];
  detection: DetectionConfig;
  incidents: { joinWindowMinutes: number };
  remediation: {
    rotationFunctionArns: readonly string[];
    rotationCooldownMinutes: number;
    rolloutWaitSeconds: number;
    workerVpc?: { subnetIds: readonly string[]; securityGroupIds: readonly string[] };
  };
  authorization: AuthorizationConfig;
  digest: DigestSettings;
  /** Posture audit settings; the registry allow-list of KP-086 is `detection.allowedRegistries`. */
  posture: { criticalImageFindingMaxAgeDays?: number };
  /** Compliance evidence packs: the monthly schedule, Object Lock retention, the link's lifetime. */
  evidence: EvidenceSettings;
}

export interface EvidenceSettings {
  channel?: string;
  schedule: boolean;
  objectLock?: { mode: 'GOVERNANCE' | 'COMPLIANCE'; days: number };
  urlExpiryHours: number;
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
  checkGrants(parsed.authorization.grants, names, source);
  checkApprovals(parsed.authorization.approvals ?? [], names, source);
  const accounts = checkAccounts(parsed, source);
  const home = parsed.home?.account;
  const d = parsed.detection;
  return deepFreeze({
    home: {
      ...(home === undefined ? {} : { account: home }),
      region: parsed.home?.region ?? (parsed.clusters[0] as { region: string }).region,
    },
    accounts,
    clusters: parsed.clusters.map(({ account, ...c }) => ({
      ...c,
      // The home account's id written out on a cluster means the same as leaving it out.
      ...(account === undefined || account === home ? {} : { account }),
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
    // checkApprovals let only known action names through.
    authorization: parsed.authorization as AuthorizationConfig,
    digest: parsed.digest,
    posture: parsed.posture,
    evidence: parsed.evidence,
  });
}

/**
 * Member accounts are listed once, are not the home account, and own the role they name; every
 * cluster and route names the home account or a listed one. Returns the accounts with their role.
 */
function checkAccounts(parsed: ParsedConfig, source: string): MemberAccount[] {
  const home = parsed.home?.account;
  const seen = new Set<string>();
  const accounts = parsed.accounts.map((account, index) => {
    const where = `invalid ${source}: accounts.${index}`;
    if (seen.has(account.id)) throw new ConfigError(`${where}.id: account "${account.id}" is listed twice`);
    seen.add(account.id);
    if (account.id === home) {
      throw new ConfigError(
        `${where}.id: "${account.id}" is the home account (home.account); list only member accounts here`,
      );
    }
    const roleArn = account.roleArn ?? `arn:aws:iam::${account.id}:role/${DEFAULT_MEMBER_ROLE_NAME}`;
    const roleAccount = roleArn.split(':')[4];
    if (roleAccount !== account.id) {
      throw new ConfigError(
        `${where}.roleArn: the role is in account ${roleAccount}, not in ${account.id} — use the role the member-account stack created there`,
      );
    }
    return { id: account.id, name: account.name, roleArn, externalId: account.externalId };
  });
  const known = (id: string) => id === home || seen.has(id);
  const listed = () =>
    [...(home === undefined ? [] : [`${home} (home)`]), ...accounts.map((a) => `${a.id} (${a.name})`)].join(
      ', ',
    ) || 'none';
  parsed.clusters.forEach((cluster, index) => {
    if (cluster.account === undefined || known(cluster.account)) return;
    throw new ConfigError(
      `invalid ${source}: clusters.${index}.account: unknown account "${cluster.account}"; accounts: ${listed()} — add it to accounts (with its role and external id) or fix the id`,
    );
  });
  parsed.slack.routes.forEach((route, index) => {
    if (route.account === undefined || known(route.account)) return;
    throw new ConfigError(
      `invalid ${source}: slack.routes.${index}.account: unknown account "${route.account}"; accounts: ${listed()} — fix the id`,
    );
  });
  return accounts;
}

/** A grant names somebody, and only configured clusters. */
function checkGrants(
  grants: z.output<typeof authorizationSchema>['grants'],
  clusters: readonly string[],
  source: string,
): void {
  grants.forEach((grant, index) => {
    const where = `invalid ${source}: authorization.grants.${index}`;
    if (grant.users.length === 0 && grant.userGroups.length === 0) {
      throw new ConfigError(`${where}: grants ${grant.role} to nobody — list users or userGroups`);
    }
    const unknown = (grant.clusters ?? []).find((name) => !clusters.includes(name));
    if (unknown !== undefined) {
      throw new ConfigError(
        `${where}: unknown cluster "${unknown}"; configured clusters: ${clusters.join(', ')} — fix the name or add the cluster`,
      );
    }
  });
}

/** An approval rule names only remediations kubeguard has and configured clusters. */
function checkApprovals(
  rules: NonNullable<z.output<typeof authorizationSchema>['approvals']>,
  clusters: readonly string[],
  source: string,
): void {
  rules.forEach((rule, index) => {
    const where = `invalid ${source}: authorization.approvals.${index}`;
    const action = rule.actions.find((name) => !isApprovalAction(name));
    if (action !== undefined) {
      throw new ConfigError(
        `${where}.actions: unknown action "${action}"; actions: ${APPROVAL_ACTIONS.join(', ')} — fix the name`,
      );
    }
    const cluster = (rule.clusters ?? []).find((name) => !clusters.includes(name));
    if (cluster !== undefined) {
      throw new ConfigError(
        `${where}.clusters: unknown cluster "${cluster}"; configured clusters: ${clusters.join(', ')} — fix the name or add the cluster`,
      );
    }
  });
}

/** The unknown-cluster message the design guide asks for. */
export function clusterNotConfigured(name: string, config: KubeguardConfig): ConfigError {
  const known = config.clusters.map((c) => c.name).join(', ');
  return new ConfigError(
    `unknown cluster "${name}"; configured clusters: ${known} — add it to kubeguard.config.json`,
  );
}
