import { describe, expect, it } from 'vitest';
import { kd037ClientCsr as rule } from '../../../../../core/detection/rules/kd-037-client-csr.ts';
import { corpusEvent, DENIED_BY_RBAC, detect, exampleOf, variant } from './rule-test-support.ts';

/** Corpus line 57 (Panther "Client certificate created"). */
const clientCsr = () => corpusEvent(57);

describe('KD-037 client CSR created or approved by non-system principal', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-037');
  });

  it('flags a person requesting an API-server client certificate', () => {
    expect(detect(rule, clientCsr())).toMatchObject({
      severity: 'high',
      summary:
        'attacker@example.com created client certificate signing request malicious-csr (signer kubernetes.io/kube-apiserver-client).',
      evidence: { csr: 'malicious-csr', usages: 'client auth' },
    });
  });

  it('flags service accounts outside kube-system (its own exclusion list)', () => {
    expect(detect(rule, corpusEvent(58))?.principal).toBe('system:serviceaccount:default:compromised-sa');
  });

  it('flags "client auth" usage with another signer', () => {
    const event = variant(clientCsr(), { requestObject: { spec: { signerName: 'example.com/custom' } } });

    expect(detect(rule, event)?.ruleId).toBe('KD-037');
  });

  it('flags an approval through the approval subresource', () => {
    const approval = variant(clientCsr(), {
      verb: 'update',
      objectRef: { subresource: 'approval' },
      responseStatus: { code: 200 },
      requestObject: {
        status: { conditions: [{ type: 'Approved', status: 'True', reason: 'KubectlApprove' }] },
      },
    });

    expect(detect(rule, approval)?.summary).toContain(
      'attacker@example.com approved client certificate signing request malicious-csr',
    );
  });

  it('ignores the controller-manager, kubelets and EKS identities', () => {
    expect(detect(rule, corpusEvent(59))).toBeUndefined();
    expect(
      detect(
        rule,
        variant(clientCsr(), { user: { username: 'system:node:ip-10-0-0-137.eu-west-1.compute.internal' } }),
      ),
    ).toBeUndefined();
    expect(
      detect(rule, variant(clientCsr(), { user: { username: 'eks:certificate-controller' } })),
    ).toBeUndefined();
  });

  it('ignores serving certificates', () => {
    expect(detect(rule, corpusEvent(61))).toBeUndefined();
  });

  it('ignores the same request when it was denied, and reads', () => {
    expect(detect(rule, corpusEvent(60))).toBeUndefined();
    expect(detect(rule, variant(clientCsr(), DENIED_BY_RBAC))).toBeUndefined();
    expect(detect(rule, corpusEvent(62))).toBeUndefined();
  });
});
