import { sentence } from '../../model/sentence.ts';
import {
  type AuditEvent,
  asString,
  isSystemPrincipal,
  objectName,
  requestPath,
  resource,
  subresource,
  username,
} from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import { exampleEvent } from './shared-workload-examples.ts';
import { nameOrUnnamed } from './shared-workload-objects.ts';
import { actorOf } from './shared-workload-pod.ts';

/** Kubelet endpoints that monitoring reads all day; the catalog excludes URIs containing them. */
const MONITORING_ENDPOINTS = ['metrics', 'healthz', 'stats/summary', 'configz'];

/** Kubelet endpoints that upgrade to a stream, like pods/exec (their ResponseStarted line counts). */
const STREAMING_ENDPOINT = /\/(?:exec|attach|portforward)\//;

/** What the proxied request asks the kubelet, e.g. `/pods` or `/exec/default/web/app`. */
function kubeletPath(event: AuditEvent): string {
  const path = requestPath(event);
  const marker = path.indexOf('/proxy');
  return marker === -1 ? path : path.slice(marker + '/proxy'.length) || '/';
}

export const kd028NodesProxy: AuditRule = {
  id: 'KD-028',
  title: 'API-server proxy to kubelet (nodes/proxy)',
  severity: 'high',
  mitre: ['T1611', 'T1613'],
  core: true,
  resources: ['nodes'],
  // Exec through the kubelet is a stream: alert at ResponseStarted too (see match).
  evaluatesResponseStarted: true,
  trigger:
    '`objectRef.resource == nodes` and `subresource == proxy`, user not a system principal; exclude ' +
    '`requestURI` containing `metrics`, `healthz`, `stats/summary`, `configz`',
  whatHappened: 'Someone used the API server to talk to a node’s kubelet directly (nodes/proxy).',
  whyItMatters:
    'The kubelet API runs commands in any pod on the node (/exec, /run) and lists every pod with its ' +
    'environment, and these calls bypass pod-level audit: nodes/proxy is effectively node admin.',
  firstResponse:
    'Identify the kubelet endpoint called (evidence). If it is not monitoring, revoke the caller’s ' +
    'credentials, find who granted nodes/proxy, and review the pods on that node.',
  falsePositives:
    'Monitoring tools reading other kubelet endpoints (e.g. /spec, /logs) through the API server.',
  // Stratus k8s.privilege-escalation.nodes-proxy: kubelet /pods through the API server, EKS user.
  example: exampleEvent({
    level: 'Metadata',
    auditID: 'a4b5c6d7-0028-4e8f-9a0b-1c2d3e4f5a6b',
    requestURI: '/api/v1/nodes/ip-10-0-0-137.eu-west-1.compute.internal/proxy/pods',
    verb: 'get',
    objectRef: {
      resource: 'nodes',
      name: 'ip-10-0-0-137.eu-west-1.compute.internal',
      apiVersion: 'v1',
      subresource: 'proxy',
    },
    responseStatus: { code: 200 },
  }),
  match(event) {
    if (resource(event) !== 'nodes' || subresource(event) !== 'proxy') return null;
    if (isSystemPrincipal(username(event))) return null;
    const uri = asString(event.requestURI) ?? '';
    if (MONITORING_ENDPOINTS.some((endpoint) => uri.includes(endpoint))) return null;
    const endpoint = kubeletPath(event);
    // Non-streaming proxy calls are judged once, on their ResponseComplete line.
    if (event.stage === 'ResponseStarted' && !STREAMING_ENDPOINT.test(`${endpoint}/`)) return null;
    const node = objectName(event);
    return {
      summary: sentence`${actorOf(event)} called kubelet endpoint ${endpoint} on node ${nameOrUnnamed(node)} through the API server (${event.verb}).`,
      node,
      evidence: { kubeletPath: endpoint },
    };
  },
};
