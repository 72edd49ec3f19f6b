import { describe, expect, it } from 'vitest';
import { boundDetection, MAX_FIELD_LENGTH } from '../../../../core/findings/bound.ts';
import { sentence } from '../../../../core/model/sentence.ts';
import { guardDutyDetection } from '../../../support/detections.ts';

describe('boundDetection and summary parts', () => {
  it('caps the summary parts as it caps the summary: a megabyte exec command fits a store item', () => {
    const command = 'A'.repeat(1_000_000);
    const summary = sentence`${'kubernetes-admin'} ran ${command} in pod ${'web'}.`;
    const exec = guardDutyDetection('guardduty-eks-exec-in-kube-system-pod.json');
    const bounded = boundDetection({ ...exec, summary: summary.text, summaryParts: [...summary.parts] });
    const parts = bounded.summaryParts ?? [];
    expect(parts.map((part) => part.kind)).toEqual(['value', 'text', 'value']);
    expect(parts.reduce((sum, part) => sum + part.text.length, 0)).toBe(MAX_FIELD_LENGTH);
    expect(parts.at(-1)?.text.endsWith('…')).toBe(true);
    expect(bounded.summary.length).toBe(MAX_FIELD_LENGTH);
  });
});
