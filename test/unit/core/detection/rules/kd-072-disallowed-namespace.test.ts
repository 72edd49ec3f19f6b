import { describe, expect, it } from 'vitest';
import { kd072DisallowedNamespace as rule } from '../../../../../core/detection/rules/kd-072-disallowed-namespace.ts';
import { configWith, corpusEvent, detect, exampleOf } from './rule-test-support.ts';

const withAllowedNamespaces = configWith({ allowedNamespaces: ['default', 'team-*'] });

describe('KD-072 namespace created outside allow-list', () => {
  it('is inactive until allowed namespaces are configured', () => {
    expect(detect(rule, exampleOf(rule))).toBeUndefined();
    expect(detect(rule, corpusEvent(51))).toBeUndefined();
  });

  it('flags its example once allowed namespaces are configured', () => {
    expect(detect(rule, exampleOf(rule), withAllowedNamespaces)?.ruleId).toBe('KD-072');
  });

  it('flags a namespace outside the list (v1beta1 event), naming it', () => {
    const detection = detect(rule, corpusEvent(51), withAllowedNamespaces);

    expect(detection).toMatchObject({ severity: 'low', namespace: 'foo', workload: 'namespace/foo' });
    expect(detection?.summary).toBe(
      'some-user created namespace foo, which is not in the allowed namespaces.',
    );
  });

  it('flags it whoever the caller is', () => {
    expect(detect(rule, corpusEvent(1), withAllowedNamespaces)?.principal).toBe('system:anonymous');
  });

  it('ignores allowed namespaces, by exact name or prefix', () => {
    const allowed = configWith({ allowedNamespaces: ['foo'] });
    const prefixed = configWith({ allowedNamespaces: ['f*'] });
    expect(detect(rule, corpusEvent(51), allowed)).toBeUndefined();
    expect(detect(rule, corpusEvent(51), prefixed)).toBeUndefined();
  });

  it('ignores namespace deletes', () => {
    expect(detect(rule, corpusEvent(44), withAllowedNamespaces)).toBeUndefined();
  });
});
