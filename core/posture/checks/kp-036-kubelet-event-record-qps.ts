import type { PostureCheck } from '../check.ts';
import { evaluateKubelets, evidenceOf, field } from './kubelet-support.ts';

/**
 * Below this rate (the kubelet flag default) events are dropped under load. 0 means unlimited,
 * which CIS accepts ("0 or a level which ensures appropriate event capture").
 */
export const MIN_EVENT_RECORD_QPS = 5;

export const kubeletEventRecordQpsCheck: PostureCheck = {
  id: 'KP-036',
  title: 'Kubelet eventRecordQPS captures events (0 or at least 5)',
  severity: 'low',
  category: 'node',
  core: false,
  cis: ['3.2.7'],
  reads: ['kubelet:config'],
  remediation: `Set eventRecordQPS to 0 or to at least ${MIN_EVENT_RECORD_QPS} (the configuration-file default is 50).`,
  evaluate(snapshot) {
    return evaluateKubelets(this, snapshot, (config) => {
      const value = field(config, 'eventRecordQPS');
      const evidence = evidenceOf(config, 'eventRecordQPS');
      if (value === undefined) return { pass: true, message: 'eventRecordQPS uses the default', evidence };
      const qps = Number(value);
      return qps === 0 || qps >= MIN_EVENT_RECORD_QPS
        ? { pass: true, message: `eventRecordQPS is ${String(value)}`, evidence }
        : {
            pass: false,
            message: `eventRecordQPS is ${String(value)}: security-relevant events are dropped under load`,
            evidence,
          };
    });
  },
};
