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

describe('redactSnapshot on dotted names', () => {
  it('reads `.` as a word separator in a name, as `-` and `_` (api.key, private.key)', () => {
    const configMap = {
      kind: 'ConfigMap',
      metadata: { name: 'settings', annotations: { 'example.com/private.key': SENTINEL } },
      data: { 'api.key': SENTINEL, 'log.level': 'info' },
    };
    const args = [`--api.key=${SENTINEL}`, '--api.key-file=/run/secrets/api'];
    expect(redactSnapshot({ objects: [configMap], args })).toEqual({
      objects: [
        {
          ...configMap,
          metadata: { name: 'settings', annotations: { 'example.com/private.key': REDACTED } },
          data: { 'api.key': REDACTED, 'log.level': 'info' },
        },
      ],
      args: [`--api.key=${REDACTED}`, '--api.key-file=/run/secrets/api'],
    });
  });
});

describe('redactSnapshot on hostile values', () => {
  // Anyone who can create a ConfigMap chooses these texts: the old line pattern took 10 s on the blank
  // lines and 6 s on the long word (quadratic), for every snapshot stored or packed.
  it('redacts a long value in linear time', () => {
    const data = {
      blank: `${'\n'.repeat(50_000)}x`,
      word: 'token-'.repeat(20_000),
      'app.properties': `db.password = ${SENTINEL}`,
    };
    const started = performance.now();
    const redacted = redactSnapshot({ kind: 'ConfigMap', metadata: { name: 'notes' }, data });
    expect(performance.now() - started).toBeLessThan(1_000);
    expect((redacted as { data: typeof data }).data).toEqual({
      ...data,
      'app.properties': `db.password = ${REDACTED}`,
    });
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

/** A Deployment shaped like the secret-consumers fixture's `reports`, with credentials on its command lines. */
function commandLineDeployment() {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'reports',
      namespace: 'payments',
      generation: 1,
      annotations: {
        'deployment.kubernetes.io/revision': '3',
        'example.com/api-token': SENTINEL,
        'example.com/owner': 'team-payments',
        'example.com/notes': `reads postgres://reports:${SENTINEL}@payments-db.payments.svc:5432/reports with AKIAABCDEFGHIJKLMNOP`,
        'example.com/settings': `url = https://reports.example\npassword = ${SENTINEL}\n`,
        'example.com/db-secret-name': 'checkout-db',
      },
    },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'reports' } },
      template: {
        metadata: {
          labels: { app: 'reports' },
          annotations: { 'example.com/db-password': SENTINEL, 'example.com/team': 'payments' },
        },
        spec: {
          initContainers: [
            {
              name: 'migrate',
              image: 'postgres:16',
              command: ['sh', '-c'],
              args: [
                `PGPASSWORD=${SENTINEL} psql -h payments-db -U reports -f /migrations/up.sql && mysql --password ${SENTINEL} -e 'select 1'`,
              ],
            },
          ],
          containers: [
            {
              name: 'reports',
              image: 'registry.k8s.io/e2e-test-images/busybox:1.29',
              command: ['/app/reports', '--api-token'],
              args: [
                SENTINEL,
                `--db-password=${SENTINEL}`,
                '--secret',
                SENTINEL,
                `-Dspring.datasource.password=${SENTINEL}`,
                `--database-url=postgres://reports:${SENTINEL}@payments-db.payments.svc:5432/reports`,
                `--config-json={"db":{"host":"payments-db","password":"${SENTINEL}"}}`,
                `--from-literal=client-secret=${SENTINEL}`,
                '--port=8080',
              ],
              livenessProbe: {
                exec: { command: ['env', `REDIS_PASSWORD=${SENTINEL}`, 'redis-cli', 'ping'] },
              },
              env: [
                {
                  name: 'DB_USERNAME',
                  valueFrom: { secretKeyRef: { name: 'checkout-db', key: 'username' } },
                },
              ],
            },
          ],
        },
      },
    },
  };
}

describe('redactSnapshot on command lines and annotations', () => {
  const object = commandLineDeployment();
  const applied = {
    ...object,
    metadata: {
      ...object.metadata,
      annotations: {
        'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(commandLineDeployment()),
      },
    },
  };
  const [redacted, redactedApplied] = (
    redactSnapshot({ objects: [object, applied] }) as { objects: unknown[] }
  ).objects as [ReturnType<typeof commandLineDeployment>, ReturnType<typeof commandLineDeployment>];

  it('leaves no trace of a credential passed on a command line or in an annotation', () => {
    const text = JSON.stringify([redacted, redactedApplied]);
    expect(text).not.toContain(SENTINEL);
    expect(text).not.toContain('AKIAABCDEFGHIJKLMNOP');
  });

  it('redacts the value of a credential flag, a separate value, an assignment and a URL password, keeping the command', () => {
    const [container] = redacted.spec.template.spec.containers;
    expect(container?.command).toEqual(['/app/reports', '--api-token']);
    expect(container?.args).toEqual([
      REDACTED,
      `--db-password=${REDACTED}`,
      '--secret',
      REDACTED,
      `-Dspring.datasource.password=${REDACTED}`,
      `--database-url=postgres://reports:${REDACTED}@payments-db.payments.svc:5432/reports`,
      `--config-json={"db":{"host":"payments-db","password":"${REDACTED}"}}`,
      `--from-literal=client-secret=${REDACTED}`,
      '--port=8080',
    ]);
    expect(container?.livenessProbe.exec.command).toEqual([
      'env',
      `REDIS_PASSWORD=${REDACTED}`,
      'redis-cli',
      'ping',
    ]);
    expect(redacted.spec.template.spec.initContainers[0]?.args).toEqual([
      `PGPASSWORD=${REDACTED} psql -h payments-db -U reports -f /migrations/up.sql && mysql --password ${REDACTED} -e 'select 1'`,
    ]);
  });

  it('redacts an annotation whose key names a credential, and credentials inside the others', () => {
    expect(redacted.metadata.annotations).toEqual({
      'deployment.kubernetes.io/revision': '3',
      'example.com/api-token': REDACTED,
      'example.com/owner': 'team-payments',
      'example.com/notes': `reads postgres://reports:${REDACTED}@payments-db.payments.svc:5432/reports with ${REDACTED}`,
      'example.com/settings': `url = https://reports.example\npassword = ${REDACTED}\n`,
      'example.com/db-secret-name': 'checkout-db',
    });
    expect(redacted.spec.template.metadata.annotations).toEqual({
      'example.com/db-password': REDACTED,
      'example.com/team': 'payments',
    });
  });

  it('redacts a last-applied annotation by the same rules', () => {
    const parsed = JSON.parse(
      (redactedApplied.metadata.annotations as Record<string, string>)[
        'kubectl.kubernetes.io/last-applied-configuration'
      ] as string,
    );
    expect(parsed.spec.template.spec.containers[0].args[1]).toBe(`--db-password=${REDACTED}`);
    expect(parsed).toEqual(redacted);
  });

  it('redacts the credentials of a shell script (headers, curl -u, a here-document), keeping the script', () => {
    const script = [
      `curl -fsS -H 'Authorization: Bearer ${SENTINEL}' -H 'X-Api-Key: ${SENTINEL}' -H 'Accept: application/json' https://reports.example/v1`,
      `curl -u admin:${SENTINEL} https://grafana.payments.svc:3000/api/health`,
      "cat > /etc/reports/app.conf <<'EOF'",
      `db.password = ${SENTINEL} with spaces`,
      `api_token=${SENTINEL} with spaces`,
      'log.level = info',
      'EOF',
      `export REPORTS_TOKEN="${SENTINEL}" && exec /app/reports --config /etc/reports/app.conf`,
    ].join('\n');
    const pod = { kind: 'Pod', spec: { containers: [{ name: 'reports', command: ['sh', '-c', script] }] } };
    const [container] = (redactSnapshot(pod) as typeof pod).spec.containers;
    expect(container?.command).toEqual([
      'sh',
      '-c',
      [
        `curl -fsS -H 'Authorization: Bearer ${REDACTED}' -H 'X-Api-Key: ${REDACTED}' -H 'Accept: application/json' https://reports.example/v1`,
        `curl -u admin:${REDACTED} https://grafana.payments.svc:3000/api/health`,
        "cat > /etc/reports/app.conf <<'EOF'",
        `db.password = ${REDACTED}`,
        `api_token=${REDACTED}`,
        'log.level = info',
        'EOF',
        `export REPORTS_TOKEN="${REDACTED}" && exec /app/reports --config /etc/reports/app.conf`,
      ].join('\n'),
    ]);
  });

  it('keeps the command lines and annotations that hold no credential exactly', () => {
    const kept = {
      kind: 'Pod',
      metadata: {
        name: 'debug-shell',
        namespace: 'payments',
        annotations: {
          'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/reports',
          'example.com/docs': 'https://wiki.example/reports#tokens',
        },
      },
      spec: {
        containers: [
          {
            name: 'busybox',
            image: 'registry.k8s.io/e2e-test-images/busybox:1.29',
            command: ['/bin/sleep', '10000'],
            args: [
              '--port=8080',
              '--config=/etc/app.yaml',
              '--password-file=/run/secrets/db',
              '--token-file',
              '/var/run/secrets/tokens/api',
              '--db-secret-name=checkout-db',
              '--token-ttl=5m',
              '--enable-token-auth=true',
              '--api-token=$(API_TOKEN)',
              '--password',
              '--log-level',
              'debug',
              'PGPASSWORD=$DB_PASSWORD',
              'https://reports.example:8443/health',
              'postgres://reports@payments-db:5432/reports',
            ],
          },
        ],
      },
    };
    expect(redactSnapshot(kept)).toEqual(kept);
  });
});
