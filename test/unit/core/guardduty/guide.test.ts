import { describe, expect, it } from 'vitest';
import { findRule } from '../../../../core/detection/registry.ts';
import { guardDutyGuide, guideForDetection } from '../../../../core/guardduty/guide.ts';
import { normalizeGuardDutyEvent } from '../../../../core/guardduty/normalize.ts';
import type { Detection } from '../../../../core/model/detection.ts';
import { loadFixture } from '../../../support/fixtures.ts';

function detectionOf(fixture: string): Detection {
  const result = normalizeGuardDutyEvent(loadFixture(fixture));
  if (result.kind !== 'detection') throw new Error(result.reason);
  return result.detection;
}

describe('alert guide for a GuardDuty detection', () => {
  it('uses the catalog rule’s own guidance when the type maps to a registered rule', () => {
    const detection = detectionOf('guardduty-eks-exec-in-kube-system-pod.json');
    const rule = findRule('KD-021');
    expect(rule, 'KD-021 is registered').toBeDefined();
    expect(guideForDetection(detection)).toEqual({
      whyItMatters: rule?.whyItMatters,
      firstResponse: rule?.firstResponse,
    });
  });

  it('uses the tactic guidance for a Runtime type that has no catalog rule', () => {
    const detection = detectionOf('guardduty-eks-runtime-new-binary-executed.json');
    expect(guideForDetection(detection)).toEqual(guardDutyGuide('Execution:Runtime/NewBinaryExecuted'));
  });

  it('uses the tactic guidance when the mapped rule is not registered', () => {
    const detection = { ...detectionOf('guardduty-eks-exec-in-kube-system-pod.json'), ruleId: 'KD-999' };
    expect(guideForDetection(detection)).toEqual(guardDutyGuide('Execution:Kubernetes/ExecInKubeSystemPod'));
  });
});
