import { describe, expect, it } from 'vitest';
import { kd071DeploymentOrNamespaceDeleted as rule } from '../../../../../core/detection/rules/kd-071-deployment-or-namespace-deleted.ts';
import {
  corpusEvent,
  DENIED_BY_RBAC,
  detect,
  exampleOf,
  SERVICE_ACCOUNT,
  variant,
} from './rule-test-support.ts';

describe('KD-071 deployment / namespace deleted', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-071');
  });

  it('flags a namespace deleted by a person', () => {
    const detection = detect(rule, corpusEvent(44));

    expect(detection).toMatchObject({ severity: 'low', namespace: 'foo', workload: 'namespace/foo' });
    expect(detection?.summary).toBe('minikube-user deleted namespace foo.');
  });

  it('flags a deployment deleted by a person', () => {
    expect(detect(rule, corpusEvent(43))).toMatchObject({
      namespace: 'default',
      workload: 'deployment/nginx-deployment',
    });
  });

  it('ignores service accounts (non-system users only) and denied requests', () => {
    expect(detect(rule, variant(corpusEvent(43), SERVICE_ACCOUNT))).toBeUndefined();
    expect(detect(rule, variant(corpusEvent(43), DENIED_BY_RBAC))).toBeUndefined();
  });

  it('ignores deletes of other resources and creates', () => {
    expect(detect(rule, corpusEvent(46))).toBeUndefined();
    expect(detect(rule, corpusEvent(18))).toBeUndefined();
  });
});
