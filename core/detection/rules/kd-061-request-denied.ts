import { asString, isDenied, statusCode } from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import {
  actor,
  requestDescription,
  targetName,
  targetNamespace,
  targetWorkload,
} from './shared-rbac-objects.ts';

/** kube-apiserver's failed-authentication filter logs a 401 at ResponseStarted and nothing later. */
const FAILED_AUTHENTICATION = 401;

export const kd061RequestDenied: AuditRule = {
  id: 'KD-061',
  title: 'Forbidden / unauthorized request',
  severity: 'low',
  mitre: ['T1613', 'T1078'],
  core: false,
  trigger:
    'response 401/403 (or decision `forbid` without a response code), single event, informational; any ' +
    'caller. Failed authentication is logged only at ResponseStarted (401), so that stage is read for 401s. ' +
    '(The burst variant — ≥ N denials from one principal or public source IP in 10 min — is a separate, ' +
    'stateful evaluator.)',
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
    'Controllers racing with RBAC changes, expired kubeconfig tokens, scanners hitting public endpoints.',
  evaluatesResponseStarted: true,
  /** The EKS fixture eks-audit-node-forbidden.json (real event), trimmed. */
  example: {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Request',
    auditID: '46f27cb4-b1e3-42a1-af08-4937f58e3d8f',
    stage: 'ResponseComplete',
    requestURI: '/api/v1/persistentvolumes/865eec5824122cafa9f6e444e622fe30a1c13e570db92581035f7f88a62c02ba',
    verb: 'get',
    user: {
      username: 'system:node:ip-10-0-0-137.eu-west-1.compute.internal',
      groups: ['system:bootstrappers', 'system:nodes', 'system:authenticated'],
    },
    sourceIPs: ['10.0.0.137'],
    userAgent: 'kubelet/v1.27.1 (linux/amd64) kubernetes/abfec7d',
    objectRef: {
      resource: 'persistentvolumes',
      name: '865eec5824122cafa9f6e444e622fe30a1c13e570db92581035f7f88a62c02ba',
      apiVersion: 'v1',
    },
    responseStatus: {
      status: 'Failure',
      reason: 'Forbidden',
      message:
        'persistentvolumes "865eec5824122cafa9f6e444e622fe30a1c13e570db92581035f7f88a62c02ba" is forbidden: ' +
        'User "system:node:ip-10-0-0-137.eu-west-1.compute.internal" cannot get resource "persistentvolumes" ' +
        'in API group "" at the cluster scope',
      code: 403,
    },
    requestReceivedTimestamp: '2023-06-19T08:07:21.502039Z',
    stageTimestamp: '2023-06-19T08:07:21.502238Z',
    annotations: { 'authorization.k8s.io/decision': 'forbid', 'authorization.k8s.io/reason': '' },
  },
  match(event) {
    if (!isDenied(event)) return null;
    const code = statusCode(event);
    if (event.stage === 'ResponseStarted' && code !== FAILED_AUTHENTICATION) return null;
    const outcome =
      code === FAILED_AUTHENTICATION ? 'failed authentication (401)' : `was denied (${code ?? 'forbid'})`;
    const verb = asString(event.verb) ?? 'request';
    const evidence: Record<string, string> = {};
    const message = asString(event.responseStatus?.message);
    if (message) evidence.responseMessage = message;
    return {
      summary: `${actor(event)} ${outcome}: ${verb} ${requestDescription(event)}.`,
      evidence,
      namespace: targetNamespace(event),
      workload: targetName(event) === undefined ? undefined : targetWorkload(event),
    };
  },
};
