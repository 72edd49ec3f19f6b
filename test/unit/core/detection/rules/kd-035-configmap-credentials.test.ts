import { describe, expect, it } from 'vitest';
import { kd035ConfigMapCredentials as rule } from '../../../../../core/detection/rules/kd-035-configmap-credentials.ts';
import { corpusEvent, detect, exampleOf, variant } from './rule-test-support.ts';

/** Corpus line 12 (falco create_configmap_private_creds, aws_access_key_id). */
const credsConfigMap = () => corpusEvent(12);

describe('KD-035 ConfigMap contains credentials', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-035');
  });

  it('flags an AWS key in a ConfigMap, naming the key but never the value', () => {
    const detection = detect(rule, credsConfigMap());

    expect(detection).toMatchObject({ severity: 'medium', namespace: 'default' });
    expect(detection?.evidence).toMatchObject({
      configMap: 'my-config',
      keys: 'access.properties',
      markers: 'aws_access_key_id',
    });
    expect(JSON.stringify(detection)).not.toContain('MY-KEY');
  });

  it.each([
    [13, 'aws-access-key-id'],
    [14, 'aws_s3_access_key_id'],
    [15, 'aws-s3-access-key-id'],
    [16, 'password'],
    [17, 'passphrase'],
  ])('flags corpus line %i (%s)', (line, marker) => {
    expect(detect(rule, corpusEvent(line))?.evidence.markers).toBe(marker);
  });

  it('flags a marker in a data key', () => {
    const event = variant(corpusEvent(10), { requestObject: { data: { db_password: 'hunter2' } } });

    expect(detect(rule, event)?.evidence.keys).toBe('db_password');
  });

  it('flags update and patch (merge patch and JSON patch)', () => {
    expect(detect(rule, variant(credsConfigMap(), { verb: 'update' }))?.ruleId).toBe('KD-035');
    const jsonPatch = variant(credsConfigMap(), {
      verb: 'patch',
      requestObject: [{ op: 'add', path: '/data/db.password', value: 's3cret' }],
    });
    expect(detect(rule, jsonPatch)?.evidence.keys).toBe('/data/db.password');
  });

  it('is case-sensitive, as Falco is', () => {
    const event = variant(corpusEvent(10), {
      requestObject: { data: { 'app.properties': 'PASSWORD=x\nAWS_ACCESS_KEY_ID=y' } },
    });

    expect(detect(rule, event)).toBeUndefined();
  });

  it('ignores ConfigMaps without credential markers', () => {
    expect(detect(rule, corpusEvent(10))).toBeUndefined();
    expect(detect(rule, corpusEvent(11))).toBeUndefined();
  });

  it('cannot fire on a Metadata-level event, which carries no data', () => {
    expect(
      detect(
        rule,
        variant(credsConfigMap(), { level: 'Metadata', requestObject: undefined, responseObject: undefined }),
      ),
    ).toBeUndefined();
  });

  it('ignores deletes and reads', () => {
    expect(detect(rule, variant(credsConfigMap(), { verb: 'delete' }))).toBeUndefined();
    expect(detect(rule, variant(credsConfigMap(), { verb: 'get' }))).toBeUndefined();
  });

  it('looks at the request, not the response', () => {
    const event = variant(corpusEvent(10), { responseObject: { data: { password: 'x' } } });

    expect(detect(rule, event)).toBeUndefined();
  });
});
