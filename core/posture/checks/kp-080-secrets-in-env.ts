import { containersOf, dig, list } from '../pod-templates.ts';
import { POD_READS, templateCheck, type Violation, violation } from '../template-check.ts';

/** CIS 4.4.1: secrets as files, not environment variables (env leaks into logs, crash dumps and child processes). */
export const kp080 = templateCheck({
  id: 'KP-080',
  title: 'Secrets consumed as files, not env vars',
  severity: 'medium',
  category: 'workload',
  core: true,
  cis: ['4.4.1'],
  reads: POD_READS,
  remediation:
    'Mount the Secret as a volume (or through the Secrets Store CSI driver) instead of env[].valueFrom.secretKeyRef / envFrom[].secretRef.',
  passMessage: 'no container reads a Secret into environment variables',
  inspect: (template) => {
    const violations: Violation[] = [];
    for (const { container, path, name } of containersOf(template)) {
      list(container.env).forEach((item, index) => {
        const reference = dig(item, 'valueFrom', 'secretKeyRef');
        if (reference === undefined) return;
        violations.push(
          violation(
            `${path}.env[${index}].valueFrom.secretKeyRef`,
            reference,
            `container "${name}", variable ${String(dig(item, 'name'))}`,
          ),
        );
      });
      list(container.envFrom).forEach((item, index) => {
        const reference = dig(item, 'secretRef');
        if (reference !== undefined)
          violations.push(violation(`${path}.envFrom[${index}].secretRef`, reference, `container "${name}"`));
      });
    }
    return violations;
  },
});
