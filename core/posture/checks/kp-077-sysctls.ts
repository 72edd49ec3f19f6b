import { dig, list } from '../pod-templates.ts';
import { POD_READS, templateCheck, type Violation, violation } from '../template-check.ts';

/** Pod Security baseline: the namespaced sysctls known to be safe. */
export const SAFE_SYSCTLS: ReadonlySet<unknown> = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);

export const kp077 = templateCheck({
  id: 'KP-077',
  title: 'Only safe sysctls',
  severity: 'medium',
  category: 'workload',
  core: false,
  cis: [],
  pss: 'baseline',
  reads: POD_READS,
  remediation:
    'Remove spec.securityContext.sysctls outside the Pod Security safe set; tune the node instead.',
  passMessage: 'every sysctl is in the safe set',
  inspect: (template) => {
    const violations: Violation[] = [];
    list(dig(template.spec, 'securityContext', 'sysctls')).forEach((sysctl, index) => {
      const name = dig(sysctl, 'name');
      if (!SAFE_SYSCTLS.has(name)) {
        violations.push(
          violation(`${template.specPath}.securityContext.sysctls[${index}].name`, name, 'not a safe sysctl'),
        );
      }
    });
    return violations;
  },
});
