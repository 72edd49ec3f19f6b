import { describe, expect, it } from 'vitest';
import { kd033ServiceAccountTokenMinted as rule } from '../../../../../core/detection/rules/kd-033-service-account-token-minted.ts';
import { corpusEvent, DENIED_BY_RBAC, detect, exampleOf, variant } from './rule-test-support.ts';

/** Corpus line 148 (Panther "ServiceAccount token created"). */
const tokenRequest = () => corpusEvent(148);

describe('KD-033 service-account token minted via TokenRequest', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-033');
  });

  it('flags a person minting a token', () => {
    expect(detect(rule, tokenRequest())).toMatchObject({
      severity: 'medium',
      namespace: 'production',
      summary:
        'attacker@example.com minted a token for service account persistence-sa in namespace production.',
    });
  });

  it('flags service accounts outside kube-system (its own exclusion list)', () => {
    const event = variant(tokenRequest(), { user: { username: 'system:serviceaccount:ci:deployer' } });

    expect(detect(rule, event)?.principal).toBe('system:serviceaccount:ci:deployer');
  });

  it('ignores kubelets, controller-manager, scheduler, kube-system service accounts and EKS identities', () => {
    expect(detect(rule, corpusEvent(151))).toBeUndefined();
    expect(detect(rule, corpusEvent(159))).toBeUndefined();
    expect(detect(rule, corpusEvent(185))).toBeUndefined();
    for (const username of [
      'system:kube-scheduler',
      'system:serviceaccount:kube-system:aws-node',
      'eks:pod-identity-mutating-webhook',
    ]) {
      expect(detect(rule, variant(tokenRequest(), { user: { username } }))).toBeUndefined();
    }
  });

  it('ignores the same request when it was denied', () => {
    expect(detect(rule, corpusEvent(153))).toBeUndefined();
    expect(detect(rule, variant(tokenRequest(), DENIED_BY_RBAC))).toBeUndefined();
  });

  it('ignores creating the service account itself and reading the subresource', () => {
    expect(detect(rule, corpusEvent(154))).toBeUndefined();
    expect(detect(rule, corpusEvent(155))).toBeUndefined();
  });
});
