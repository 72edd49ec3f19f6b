import { queryParams } from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import { exampleStream } from './shared-workload-examples.ts';
import { isPortForward, streamMatch } from './shared-workload-exec.ts';

export const kd026PortForward: AuditRule = {
  id: 'KD-026',
  title: 'Port-forward to a pod',
  severity: 'low',
  mitre: ['T1090'],
  core: false,
  resources: ['pods'],
  evaluatesResponseStarted: true,
  trigger: '`pods` subresource `portforward` (verb create or get)',
  whatHappened: 'Someone tunnelled a local port to a pod through the API server (kubectl port-forward).',
  whyItMatters:
    'A port-forward reaches a pod directly, bypassing ingress, load balancers and NetworkPolicy: a way to ' +
    'reach admin interfaces or databases that are not meant to be exposed.',
  firstResponse: 'Confirm the session and the forwarded port (evidence) with the person.',
  falsePositives: 'Developers reaching dashboards or databases during debugging.',
  // Falco "port-forward" (kubectl port-forward pod/nginx 8080:80), shape of the exec fixture.
  example: exampleStream({
    auditID: 'f3a4b5c6-0026-4d7e-8f9a-0b1c2d3e4f5a',
    namespace: 'default',
    pod: 'nginx-deployment-7998647bdf-phvq7',
    subresource: 'portforward',
    query: '',
  }),
  match(event) {
    if (!isPortForward(event)) return null;
    const ports = queryParams(event, 'ports');
    return streamMatch(event, undefined, ports.length === 0 ? {} : { ports: ports.join(', ') });
  },
};
