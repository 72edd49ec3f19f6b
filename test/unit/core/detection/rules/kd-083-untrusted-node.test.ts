import { describe, expect, it } from 'vitest';
import { kd083UntrustedNode as rule } from '../../../../../core/detection/rules/kd-083-untrusted-node.ts';
import { configWith, detect, exampleOf, variant } from './rule-test-support.ts';

const withAllowedNodes = configWith({ allowedNodes: ['ip-10-0-*'] });

describe('KD-083 node object created (untrusted node join)', () => {
  it('is inactive until allowed nodes are configured', () => {
    expect(detect(rule, exampleOf(rule))).toBeUndefined();
  });

  it('flags its example as high severity: the untrusted node joined', () => {
    const detection = detect(rule, exampleOf(rule), withAllowedNodes);

    expect(detection).toMatchObject({
      ruleId: 'KD-083',
      severity: 'high',
      node: 'ip-172-31-99-12.us-west-2.compute.internal',
      workload: 'node/ip-172-31-99-12.us-west-2.compute.internal',
      evidence: { outcome: 'joined' },
    });
  });

  it('flags a failed join as medium severity', () => {
    const failed = variant(exampleOf(rule), { responseStatus: { code: 403 } });
    const detection = detect(rule, failed, withAllowedNodes);

    expect(detection).toMatchObject({ severity: 'medium', evidence: { outcome: 'failed' } });
    expect(detection?.summary).toContain('tried to join the cluster (response 403)');
  });

  it('ignores nodes on the allow-list and node updates', () => {
    const trusted = variant(exampleOf(rule), {
      objectRef: { name: 'ip-10-0-0-137.eu-west-1.compute.internal' },
    });
    expect(detect(rule, trusted, withAllowedNodes)).toBeUndefined();
    expect(detect(rule, variant(exampleOf(rule), { verb: 'patch' }), withAllowedNodes)).toBeUndefined();
  });
});
