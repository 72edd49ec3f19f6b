import type { PostureCheck } from '../check.ts';
import { evaluateKubelets, evidenceOf, field } from './kubelet-support.ts';

export const kubeletIptablesUtilChainsCheck: PostureCheck = {
  id: 'KP-035',
  title: 'Kubelet makeIPTablesUtilChains enabled',
  severity: 'medium',
  category: 'node',
  core: false,
  cis: ['3.2.6'],
  reads: ['kubelet:config'],
  remediation: 'Remove makeIPTablesUtilChains: false from the kubelet configuration (the default is true).',
  evaluate(snapshot) {
    return evaluateKubelets(this, snapshot, (config) => {
      const value = field(config, 'makeIPTablesUtilChains');
      const evidence = evidenceOf(config, 'makeIPTablesUtilChains');
      return value === false
        ? {
            pass: false,
            message:
              'makeIPTablesUtilChains is false: the kubelet does not keep its iptables chains in line with pod networking',
            evidence,
          }
        : { pass: true, message: 'the kubelet manages its iptables utility chains', evidence };
    });
  },
};
