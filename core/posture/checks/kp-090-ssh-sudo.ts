import { containersOf, list, record } from '../pod-templates.ts';
import { POD_READS, templateCheck, type Violation, violation } from '../template-check.ts';

const SSH_PORTS: ReadonlySet<unknown> = new Set([22, 2222]);
/** `sudo` as a command word: `sudo`, `/usr/bin/sudo`, `sh -c "sudo …"`, `a && sudo b`. */
const SUDO = /(^|[\s/;&|(])sudo(\s|$)/;

export const kp090 = templateCheck({
  id: 'KP-090',
  title: 'No SSH server or sudo in containers',
  severity: 'low',
  category: 'workload',
  core: false,
  cis: [],
  reads: POD_READS,
  remediation:
    'Remove the SSH server and sudo from the image; use kubectl exec (audited) for interactive access.',
  passMessage: 'no container exposes an SSH port or runs sudo',
  inspect: (template) => {
    const violations: Violation[] = [];
    for (const { container, path, name } of containersOf(template)) {
      list(container.ports).forEach((port, index) => {
        const number = record(port)?.containerPort;
        if (SSH_PORTS.has(number)) {
          violations.push(
            violation(`${path}.ports[${index}].containerPort`, number, `container "${name}"; SSH port`),
          );
        }
      });
      for (const field of ['command', 'args']) {
        list(container[field]).forEach((word, index) => {
          if (typeof word === 'string' && SUDO.test(word)) {
            violations.push(violation(`${path}.${field}[${index}]`, word, `container "${name}" runs sudo`));
          }
        });
      }
    }
    return violations;
  },
});
