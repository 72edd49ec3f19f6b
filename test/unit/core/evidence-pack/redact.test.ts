import { describe, expect, it } from 'vitest';
import { REDACTED, redactSnapshot, redactText } from '#core/evidence-pack/redact.ts';

const SENTINEL = 'S3ntinel-7f1c0e9a-value';
const b64 = (text: string) => Buffer.from(text).toString('base64');

function secret() {
  const object = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'db', namespace: 'shop' },
    type: 'Opaque',
    data: { password: b64(SENTINEL), user: b64('app') },
    stringData: { token: SENTINEL },
  };
  return {
    ...object,
    metadata: {
      ...object.metadata,
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(object) },
    },
  };
}

function deployment() {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      template: {
        spec: {
          initContainers: [{ name: 'init', env: [{ name: 'SEED', value: SENTINEL }] }],
          containers: [
            {
              name: 'web',
              env: [
                { name: 'DB_PASSWORD', value: SENTINEL },
                { name: 'DB_USER', valueFrom: { secretKeyRef: { name: 'db', key: 'user' } } },
              ],
            },
          ],
        },
      },
    },
  };
}

function configMap() {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'settings', namespace: 'shop' },
    data: {
      DB_PASSWORD: SENTINEL,
      LOG_LEVEL: 'debug',
      'app.properties': `db.url=jdbc:x\ndb.password=${SENTINEL}\n`,
      notes: 'key AKIAABCDEFGHIJKLMNOP here',
    },
  };
}

describe('redactSnapshot', () => {
  const snapshot = {
    name: 'prod',
    takenAt: '2026-10-01T06:00:00.000Z',
    aws: { secrets: [{ Name: 'MyTestSecret', ARN: 'arn:x', SecretString: SENTINEL }] },
    objects: [secret(), deployment(), configMap(), { kind: 'List', metadata: {}, items: [secret()] }],
    unavailable: {},
  };
  const redacted = redactSnapshot(snapshot);
  const text = JSON.stringify(redacted);

  it('leaves no secret value, raw or base64, anywhere', () => {
    expect(text).not.toContain(SENTINEL);
    expect(text).not.toContain(b64(SENTINEL));
    expect(text).not.toContain('AKIAABCDEFGHIJKLMNOP');
  });

  it('keeps names and keys, the shape, and the values that are not secret', () => {
    const [s, d, c] = (redacted as typeof snapshot).objects as [
      ReturnType<typeof secret>,
      ReturnType<typeof deployment>,
      ReturnType<typeof configMap>,
    ];
    expect(s.data).toEqual({ password: REDACTED, user: REDACTED });
    expect(s.stringData).toEqual({ token: REDACTED });
    expect(
      JSON.parse(s.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).data,
    ).toEqual({
      password: REDACTED,
      user: REDACTED,
    });
    expect(d.spec.template.spec.containers[0]?.env).toEqual([
      { name: 'DB_PASSWORD', value: REDACTED },
      { name: 'DB_USER', valueFrom: { secretKeyRef: { name: 'db', key: 'user' } } },
    ]);
    expect(d.spec.template.spec.initContainers[0]?.env).toEqual([{ name: 'SEED', value: REDACTED }]);
    expect(c.data.DB_PASSWORD).toBe(REDACTED);
    expect(c.data.LOG_LEVEL).toBe('debug');
    expect(c.data['app.properties']).toBe(`db.url=jdbc:x\ndb.password=${REDACTED}\n`);
    expect((redacted as typeof snapshot).aws.secrets[0]).toEqual({
      Name: 'MyTestSecret',
      ARN: 'arn:x',
      SecretString: REDACTED,
    });
  });

  it('does not change its input', () => {
    expect(JSON.stringify(snapshot)).toContain(SENTINEL);
  });

  it('redacts a last-applied annotation that is not JSON whole', () => {
    const object = {
      kind: 'Secret',
      metadata: {
        name: 'x',
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': `{${SENTINEL}` },
      },
    };
    expect(JSON.stringify(redactSnapshot({ objects: [object] }))).not.toContain(SENTINEL);
  });
});

describe('redactSnapshot on partial objects', () => {
  it('redacts a Secret without metadata (a hand-written last-applied value) and env values anywhere', () => {
    const text = JSON.stringify(
      redactSnapshot([{ kind: 'Secret', data: { k: SENTINEL } }, { env: [{ name: 'X', value: SENTINEL }] }]),
    );
    expect(text).not.toContain(SENTINEL);
    expect(text).toContain('"k":"[redacted]"');
  });
});

describe('redactText', () => {
  it('replaces AWS access key ids and private keys, nothing else', () => {
    expect(redactText('rotated AKIAABCDEFGHIJKLMNOP after the leak')).toBe(
      `rotated ${REDACTED} after the leak`,
    );
    expect(redactText('-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY----- done')).toBe(
      `${REDACTED} done`,
    );
    expect(redactText('pod shop/web was isolated')).toBe('pod shop/web was isolated');
  });
});
