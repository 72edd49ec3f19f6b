/**
 * Who really acted, as far as the source says. EKS maps many people to one Kubernetes username
 * (`kubernetes-admin`, anyone in system:masters), so the username alone hides the person: the IAM
 * identity behind it comes from the audit event's `user.extra` (`arn`, `sessionName`, `accessKeyId`)
 * or from GuardDuty's `kubernetesUserDetails` / `accessKeyDetails`. Every value is attacker-influenced.
 */
export interface Actor {
  /** IAM ARN of the caller as EKS authenticated it, e.g. `arn:aws:sts::111122223333:assumed-role/DevOpsRole/jdoe`. */
  arn?: string;
  /** The role session name (often the person's name or an SSO id). */
  sessionName?: string;
  /** The access key the request was signed with. */
  accessKeyId?: string;
}

/**
 * What names who acted, on a detection or anything shaped like one. Declared here rather than picked
 * from Detection, which itself refers to Actor: the two modules would import each other.
 */
export interface ActorFacts {
  /** The Kubernetes username or IAM principal the source reports. */
  principal?: string;
  actor?: Actor;
}

/** `arn:aws:sts::1111:assumed-role/DevOpsRole/jdoe` → `assumed-role/DevOpsRole/jdoe`; other values unchanged. */
export function shortArn(arn: string): string {
  const match = /^arn:aws[a-z-]*:(?:sts|iam)::\d{12}:(.+)$/.exec(arn);
  return match?.[1] ?? arn;
}

/**
 * What an alert shows as the actor: the Kubernetes username and, when it differs, the IAM identity
 * behind it (`kubernetes-admin · assumed-role/DevOpsRole/jdoe`). Undefined when nothing is known.
 */
export function actorLabel(detection: ActorFacts): string | undefined {
  const username = detection.principal;
  const actor = detection.actor;
  const iam =
    actor?.arn !== undefined
      ? shortArn(actor.arn)
      : actor?.sessionName !== undefined
        ? `session ${actor.sessionName}`
        : actor?.accessKeyId !== undefined
          ? `access key ${actor.accessKeyId}`
          : undefined;
  if (iam === undefined) return username;
  if (username === undefined || username === actor?.arn || shortArn(username) === iam) return iam;
  return `${username} · ${iam}`;
}

/**
 * The identity an incident is keyed by: the IAM ARN when the source names one (two people sharing
 * `kubernetes-admin` are two incidents; an audit event and a GuardDuty finding about the same
 * session agree, because GuardDuty reports the ARN as the username), else the access key, else the
 * Kubernetes username. The prefix keeps an ARN from colliding with a username spelled like one.
 */
export function actorKey(detection: ActorFacts): string {
  const actor = detection.actor;
  if (actor?.arn !== undefined) return `arn:${actor.arn}`;
  const principal = detection.principal ?? '';
  if (/^arn:aws[a-z-]*:(?:sts|iam)::/.test(principal)) return `arn:${principal}`;
  if (actor?.accessKeyId !== undefined) return `key:${actor.accessKeyId}`;
  return `user:${principal}`;
}
