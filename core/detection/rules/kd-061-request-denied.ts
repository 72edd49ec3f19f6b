import { literal, sentence } from '../../model/sentence.ts';
import { asString, isDenied, statusCode, username } from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import {
  actor,
  requestDescription,
  targetName,
  targetNamespace,
  targetWorkload,
  verbWord,
} from './shared-rbac-objects.ts';

/** kube-apiserver's failed-authentication filter logs a 401 at ResponseStarted and nothing later. */
const FAILED_AUTHENTICATION = 401;
/** Kubelets authenticate as `system:node:<node name>` (EKS: the node's IAM role, session = instance id). */
const NODE_IDENTITY_PREFIX = 'system:node:';

export const kd061RequestDenied: AuditRule = {
  id: 'KD-061',
  title: 'Forbidden / unauthorized request',
  severity: 'low',
  mitre: ['T1613', 'T1078'],
  core: false,
  trigger:
    'response 401/403 (or decision `forbid` without a response code), single event, informational; any ' +
    'caller except a node identity (`system:node:*`), whose single denials are routine Node-authorizer ' +
    'refusals. Failed authentication is logged only at ResponseStarted (401), so that stage is read for ' +
    '401s. (The burst variant — ≥ N denials from one principal or public source IP in 10 min, node ' +
    'identities included — is a separate, stateful evaluator.)',
  whatHappened:
    'A request to the Kubernetes API was refused: authentication failed (401) or authorization denied it (403).',
  whyItMatters:
    'Single denials are common (misconfigured tools, expired tokens), but they are also how permission ' +
    'probing and stolen-credential use first show up. Grouped by principal and source, they reveal ' +
    'reconnaissance.',
  firstResponse:
    'Usually none for one event. If the same principal or IP is denied repeatedly, or asks for secrets ' +
    'or RBAC objects, find out who owns it and whether its credentials leaked.',
  falsePositives:
    'Controllers racing with RBAC changes, expired kubeconfig tokens, scanners hitting public endpoints. ' +
    'A kubelet asking for an object not bound to its node is refused by the Node authorizer many times a ' +
    'day: a single such denial is not reported, a burst of them is.',
  evaluatesResponseStarted: true,
  /** The EKS fixture eks-audit-anonymous-denied.json (a web scanner refused, Panther test log). */
  example: {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: 'edf35e8d-92c3-4507-9bc6-4dd9cf068bcf',
    stage: 'ResponseComplete',
    requestURI: '/vendor/phpunit/src/Util/PHP/eval-stdin.php',
    verb: 'get',
    user: { username: 'system:anonymous', groups: ['system:unauthenticated'] },
    sourceIPs: ['8.216.81.10'],
    userAgent: 'Custom-AsyncHttpClient',
    responseStatus: {
      status: 'Failure',
      message:
        'forbidden: User "system:anonymous" cannot get path "/vendor/phpunit/src/Util/PHP/eval-stdin.php"',
      reason: 'Forbidden',
      code: 403,
    },
    requestReceivedTimestamp: '2024-11-13T23:50:32.672347Z',
    stageTimestamp: '2024-11-13T23:50:32.673504Z',
    annotations: { 'authorization.k8s.io/decision': 'forbid', 'authorization.k8s.io/reason': '' },
  },
  match(event) {
    if (!isDenied(event)) return null;
    // A kubelet may only read objects bound to its node; the Node authorizer refuses the rest, and
    // kubelets race with scheduling and volume detachment, so single node denials arrive all day and
    // say nothing (docs/decisions.md D23). They still count towards the KD-061 burst
    // (burst.ts counts every denial): a stolen node credential probing the API is a burst.
    if (username(event).startsWith(NODE_IDENTITY_PREFIX)) return null;
    const code = statusCode(event);
    if (event.stage === 'ResponseStarted' && code !== FAILED_AUTHENTICATION) return null;
    const outcome =
      code === FAILED_AUTHENTICATION ? 'failed authentication (401)' : `was denied (${code ?? 'forbid'})`;
    const verb = verbWord(event.verb, 'request');
    const evidence: Record<string, string> = {};
    const message = asString(event.responseStatus?.message);
    if (message) evidence.responseMessage = message;
    return {
      summary: sentence`${actor(event)} ${literal(outcome)}: ${verb} ${requestDescription(event)}.`,
      evidence,
      namespace: targetNamespace(event),
      workload: targetName(event) === undefined ? undefined : targetWorkload(event),
    };
  },
};
