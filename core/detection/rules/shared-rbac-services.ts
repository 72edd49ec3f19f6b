/** Helpers shared by the exposure rules (KD-080 NodePort, KD-081 LoadBalancer Services). */
import { type AuditEvent, asArray, asString, getPath, isRecord } from '../audit-event.ts';
import { listOf } from './shared-rbac-objects.ts';

export const SERVICE_WRITE_VERBS = ['create', 'update', 'patch'];

/** `requestObject.spec.type` of a Service request, if any. */
export function requestedServiceType(event: AuditEvent): string | undefined {
  return asString(getPath(event.requestObject, 'spec', 'type'));
}

/** `80→30080/TCP`-style descriptions of the requested ports (nodePort when given). */
export function describePorts(event: AuditEvent): string {
  const ports = asArray(getPath(event.requestObject, 'spec', 'ports'))
    .filter(isRecord)
    .map((port) => {
      const number = typeof port.port === 'number' ? String(port.port) : '?';
      const nodePort = typeof port.nodePort === 'number' ? `→${port.nodePort}` : '';
      return `${number}${nodePort}/${asString(port.protocol) ?? 'TCP'}`;
    });
  return listOf(ports);
}
