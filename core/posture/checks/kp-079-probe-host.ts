import { containersOf, dig } from '../pod-templates.ts';
import { POD_READS, templateCheck, type Violation, violation } from '../template-check.ts';

const HANDLERS: readonly (readonly string[])[] = [
  ['livenessProbe'],
  ['readinessProbe'],
  ['startupProbe'],
  ['lifecycle', 'postStart'],
  ['lifecycle', 'preStop'],
];

/** Pod Security baseline (1.34+): probes and lifecycle hooks may not target another host. */
export const kp079 = templateCheck({
  id: 'KP-079',
  title: 'No host in probes or lifecycle hooks',
  severity: 'low',
  category: 'workload',
  core: false,
  cis: [],
  pss: 'baseline',
  reads: POD_READS,
  remediation:
    'Remove the host field from httpGet/tcpSocket probes and lifecycle hooks; they should reach the pod itself.',
  passMessage: 'no probe or lifecycle hook sets a host',
  inspect: (template) => {
    const violations: Violation[] = [];
    for (const { container, path, name } of containersOf(template)) {
      for (const handler of HANDLERS) {
        for (const action of ['httpGet', 'tcpSocket']) {
          const host = dig(container, ...handler, action, 'host');
          if (host !== undefined && host !== '') {
            violations.push(
              violation(`${path}.${handler.join('.')}.${action}.host`, host, `container "${name}"`),
            );
          }
        }
      }
    }
    return violations;
  },
});
