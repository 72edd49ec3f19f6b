import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseManifests } from '#core/manifests/load.ts';
import type { NetpolNamespace, NetpolPod, NetworkPolicy } from '#core/netpol/types.ts';
import { type CliRun, runCli } from '#test/support/cli.ts';
import { readFixtureText } from '#test/support/fixtures.ts';

interface CorpusCase {
  id: string;
  namespaces: NetpolNamespace[];
  pods: NetpolPod[];
  policies: NetworkPolicy[];
  queries: { from: object; to: object; port: number; protocol: string; expect: 'allow' | 'deny' }[];
}

const CASES = JSON.parse(readFixtureText('corpus/netpol/public-cases.json')) as CorpusCase[];
const WORK = mkdtempSync(join(tmpdir(), 'kubeguard-netpol-cli-'));

afterAll(() => {
  rmSync(WORK, { recursive: true, force: true });
});

/** A corpus case written as the manifests a user would keep: Namespaces, Pods (with status) and policies. */
function writeManifests(corpusCase: CorpusCase): string {
  const documents = [
    ...corpusCase.namespaces.map((ns) => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns.name, labels: ns.labels },
    })),
    ...corpusCase.pods.map((pod) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: pod.name, namespace: pod.namespace, labels: pod.labels },
      spec: { containers: [{ name: 'main', image: 'registry.k8s.io/pause:3.9', ports: pod.ports ?? [] }] },
      status: { podIP: pod.ip },
    })),
    ...corpusCase.policies,
  ];
  const file = join(WORK, `${corpusCase.id}.yaml`);
  writeFileSync(file, documents.map((d) => stringify(d)).join('---\n'));
  return file;
}

function corpusCase(id: string): CorpusCase {
  const found = CASES.find((c) => c.id === id);
  if (found === undefined) throw new Error(`no corpus case ${id}`);
  return found;
}

async function run(args: string[], stdin = ''): Promise<CliRun> {
  return runCli(['netpol', ...args], { stdin, cwd: WORK });
}

const DENY_ALL = writeManifests(corpusCase('rcp-01-deny-all-to-app'));

describe('kubeguard netpol', () => {
  it('answers one query in text, naming the deciding policy on each side', async () => {
    const result = await run([
      '--manifests',
      DENY_ALL,
      '--from',
      'default/test',
      '--to',
      'default/web',
      '--port',
      '80',
    ]);

    expect(result).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        'deny: default/test -> default/web on TCP/80',
        '  egress  from default/test: allow (not isolated: no NetworkPolicy selects it for egress)',
        '  ingress to default/web: deny (isolated by default/web-deny-all; none of them allows this connection)',
        '',
      ].join('\n'),
    });
  });

  it('answers one query as a JSON line with --json, an external IP end counting as n/a', async () => {
    const result = await run([
      '--manifests',
      DENY_ALL,
      '--from',
      '203.0.113.50',
      '--to',
      'default/web',
      '--port',
      'http',
      '--json',
    ]);

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      from: '203.0.113.50',
      to: 'default/web',
      port: 80,
      protocol: 'TCP',
      verdict: 'deny',
      egress: { verdict: 'n/a', isolated: false, decidedBy: [] },
      ingress: { verdict: 'deny', isolated: true, decidedBy: ['default/web-deny-all'] },
    });
  });

  it('answers every line of --queries with one JSON line, in order', async () => {
    const queries = join(WORK, 'queries.jsonl');
    writeFileSync(
      queries,
      [
        '{"from": "default/test", "to": "default/web", "port": 80, "protocol": "TCP"}',
        '',
        '{"from": "default/web", "to": "default/test", "port": 80}',
      ].join('\n'),
    );

    const result = await run(['--manifests', DENY_ALL, '--queries', queries]);

    expect(result.code).toBe(0);
    const lines = result.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.from, l.to, l.port, l.protocol, l.verdict])).toEqual([
      ['default/test', 'default/web', 80, 'TCP', 'deny'],
      ['default/web', 'default/test', 80, 'TCP', 'allow'],
    ]);
    expect(lines[0].ingress).toEqual({
      verdict: 'deny',
      isolated: true,
      decidedBy: ['default/web-deny-all'],
    });
  });

  it('reads queries from standard input with --queries -', async () => {
    const result = await run(
      ['--manifests', DENY_ALL, '--queries', '-'],
      '{"from":"default/web","to":"default/test","port":80}\n',
    );

    expect(JSON.parse(result.stdout)).toMatchObject({ verdict: 'allow' });
  });

  it('reports a bad query line in place and goes on with the rest, exiting 1', async () => {
    const stdin = [
      '{"from": "default/nobody", "to": "default/web", "port": 80}',
      'not json',
      '{"from": "default/web", "to": "default/test", "port": 80}',
    ].join('\n');

    const result = await run(['--manifests', DENY_ALL, '--queries', '-'], stdin);

    expect(result.code).toBe(1);
    const lines = result.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({
      line: 1,
      error: 'unknown pod "default/nobody"; pods in namespace "default": test, web',
    });
    expect(lines[1]).toMatchObject({ line: 2, error: expect.stringMatching(/^not JSON/) });
    expect(lines[2]).toMatchObject({ verdict: 'allow' });
    expect(result.stderr).toContain('standard input line 2: not JSON');
  });

  it('gives every corpus query its labelled verdict when the case is written as manifests', async () => {
    const mismatches: string[] = [];
    for (const c of CASES) {
      const queries = join(WORK, `${c.id}.jsonl`);
      writeFileSync(queries, c.queries.map((q) => JSON.stringify(q)).join('\n'));

      const result = await run(['--manifests', writeManifests(c), '--queries', queries]);

      const answers = result.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as { verdict?: string });
      c.queries.forEach((q, i) => {
        if (answers[i]?.verdict !== q.expect)
          mismatches.push(`${c.id} query ${i}: ${JSON.stringify(answers[i])}`);
      });
    }

    expect(mismatches).toEqual([]);
  });

  it('names an unknown pod and the flag that gave it, exiting 1', async () => {
    const result = await run([
      '--manifests',
      DENY_ALL,
      '--from',
      'default/test',
      '--to',
      'default/wbe',
      '--port',
      '80',
    ]);

    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: 'kubeguard netpol: --to: unknown pod "default/wbe"; pods in namespace "default": test, web\n',
    });
  });

  it('warns about manifest documents it skips and still answers', async () => {
    const file = join(WORK, 'with-broken.yaml');
    writeFileSync(file, `${readFixtureText('corpus/public/manifests/m23.yaml')}---\nkind: [broken\n`);

    const result = await run([
      '--manifests',
      file,
      '--from',
      '198.51.100.7',
      '--to',
      'default/test-pod',
      '--port',
      '80',
    ]);

    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/warning: skipped .*with-broken\.yaml document 2: invalid YAML/);
    expect(result.stdout).toMatch(/^deny: 198\.51\.100\.7 -> default\/test-pod on TCP\/80/);
  });

  describe('bad arguments exit 2 with a message naming the argument', () => {
    const query = ['--from', 'default/test', '--to', 'default/web', '--port', '80'];
    it.each([
      [[...query], 'give exactly one source: --manifests PATH... or --kubeconfig FILE'],
      [['--manifests', DENY_ALL, '--kubeconfig', 'k.yaml', ...query], 'give exactly one source'],
      [['--manifests', DENY_ALL, '--context', 'prod', ...query], '--context needs --kubeconfig'],
      [['--manifests', '--from', 'default/test'], '--manifests needs at least one file or directory'],
      [
        ['--manifests', DENY_ALL, '--from', 'web', '--to', 'default/web', '--port', '80'],
        '--from "web": expected a pod as NS/POD',
      ],
      [
        ['--manifests', DENY_ALL, '--from', 'default/test', '--to', '10.0.0.300', '--port', '80'],
        '--to "10.0.0.300"',
      ],
      [
        ['--manifests', DENY_ALL, ...query.slice(0, 4), '--port', '0'],
        '--port "0": expected a port number from 1 to 65535',
      ],
      [
        ['--manifests', DENY_ALL, ...query, '--protocol', 'ICMP'],
        '--protocol "ICMP": use one of TCP, UDP, SCTP',
      ],
      [['--manifests', DENY_ALL, ...query.slice(0, 4)], 'missing --port'],
      [
        ['--manifests', DENY_ALL, ...query, '--queries', 'q.jsonl'],
        '--queries cannot be combined with --from, --to, --port',
      ],
      [['--manifests', DENY_ALL, ...query, '--verbose'], 'unknown option "--verbose"'],
      [
        ['--manifests', DENY_ALL, ...query, '--protocl', 'TCP'],
        'unknown option "--protocl"; did you mean --protocol?',
      ],
      [['--manifest', DENY_ALL, ...query], 'unknown option "--manifest"; did you mean --manifests?'],
      [['--manifests', DENY_ALL, ...query, '-k', 'kc'], 'unknown option "-k"; did you mean --kubeconfig?'],
      [['--manifests', DENY_ALL, '--from'], '--from needs a value'],
      [['--manifests', 'missing.yaml', ...query], '--manifests: cannot read "missing.yaml" (ENOENT)'],
      [
        ['--manifests', DENY_ALL, '--queries', 'missing.jsonl'],
        '--queries: cannot read "missing.jsonl" (ENOENT)',
      ],
      [
        ['--manifests', DENY_ALL, ...query.slice(0, 4), '--port', 'grpc'],
        'port "grpc" is not a TCP container port name of default/web',
      ],
    ])('%j', async (args, message) => {
      const result = await run(args);

      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(`kubeguard netpol: ${message}`);
      expect(result.stderr).toContain('Usage: kubeguard netpol');
    });
  });

  it('walks a directory as audit does: node_modules, .git and .kubeguardignore are left out', async () => {
    const dir = join(WORK, 'repo');
    for (const sub of ['k8s', 'node_modules/pkg', '.git', 'drafts'])
      mkdirSync(join(dir, sub), { recursive: true });
    copyFileSync(DENY_ALL, join(dir, 'k8s', 'app.yaml'));
    for (const ignored of ['node_modules/pkg/broken.yaml', '.git/broken.yaml', 'drafts/broken.yaml'])
      writeFileSync(join(dir, ignored), 'kind: [unclosed\n');
    writeFileSync(join(dir, '.kubeguardignore'), 'drafts/\n');

    const result = await runCli(
      ['netpol', '--manifests', '.', '--from', 'default/test', '--to', 'default/web', '--port', '80'],
      {
        cwd: dir,
      },
    );

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^deny/);
  });

  it('is listed in kubeguard --help', async () => {
    const { stdout } = await runCli(['--help'], { cwd: WORK });

    expect(stdout).toMatch(/^ {2}netpol +Would network policies allow a connection\?/m);
  });

  describe('fails closed: policies it cannot evaluate give unknown, never a silent deny', () => {
    /** The deny-all case plus extra documents, as one manifest file. */
    function denyAllWith(name: string, extra: object[]): string {
      const file = join(WORK, `${name}.yaml`);
      writeFileSync(
        file,
        `${readFixtureText('corpus/public/manifests/m23.yaml')}---\n${extra.map((d) => stringify(d)).join('---\n')}`,
      );
      return file;
    }
    const egressFromTestPod = ['--from', 'default/test-pod', '--to', '203.0.113.9', '--port', '443'];
    const denyEgress = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'deny-egress', namespace: 'default' },
      spec: { podSelector: {}, policyTypes: ['Egress'] },
    };
    const allowAllEgress = (cidr: string) => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'allow-all-egress', namespace: 'default' },
      spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr } }] }] },
    });

    it.each(['000.0.0.0/0', '010.0.0.0/8'])(
      'reads %s as the API server does (leading zeros are decimal)',
      async (cidr) => {
        const file = denyAllWith(`leading-zeros-${cidr.slice(0, 3)}`, [denyEgress, allowAllEgress(cidr)]);
        const to = cidr === '000.0.0.0/0' ? '203.0.113.9' : '10.1.2.3';

        const result = await run([
          '--manifests',
          file,
          '--from',
          'default/test-pod',
          '--to',
          to,
          '--port',
          '443',
        ]);

        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        expect(result.stdout).toBe(
          [
            `allow: default/test-pod -> ${to} on TCP/443`,
            '  egress  from default/test-pod: allow (allowed by default/allow-all-egress)',
            `  ingress to ${to}: n/a (${to} is not a known pod; only the pod side applies)`,
            '',
          ].join('\n'),
        );
      },
    );

    it('answers unknown with the reason (exit 1) when a policy selecting the pod does not parse', async () => {
      const broken = {
        ...allowAllEgress('0.0.0.0/0'),
        metadata: { name: 'typo', namespace: 'default' },
        spec: {
          podSelector: {},
          policyTypes: ['Egress'],
          egress: [{ too: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }],
        },
      };
      const file = denyAllWith('unparsable', [denyEgress, broken]);

      const result = await run(['--manifests', file, ...egressFromTestPod]);

      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        'kubeguard netpol: warning: cannot evaluate NetworkPolicy default/typo: spec.egress[0]: Unrecognized key: "too"; connections it may decide are answered unknown\n',
      );
      expect(result.stdout).toBe(
        [
          'unknown: default/test-pod -> 203.0.113.9 on TCP/443',
          '  egress  from default/test-pod: unknown (NetworkPolicy/default/typo could not be evaluated (spec.egress[0]: Unrecognized key: "too"))',
          '  ingress to 203.0.113.9: n/a (203.0.113.9 is not a known pod; only the pod side applies)',
          '',
        ].join('\n'),
      );
    });

    it('still says "skipped" for a malformed pod, which is left out rather than evaluated', async () => {
      const badPod = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'broken', namespace: 'default' },
        spec: { containers: [{ name: 'main', ports: [{ containerPort: 'eighty' }] }] },
      };
      const file = denyAllWith('bad-pod', [badPod]);

      const result = await run(['--manifests', file, ...egressFromTestPod]);

      expect(result.code).toBe(0);
      expect(result.stderr).toMatch(
        /^kubeguard netpol: warning: skipped Pod default\/broken: spec\.containers\[0\]\.ports\[0\]\.containerPort: /,
      );
    });

    it('answers unknown (exit 1) while a Calico policy exists, naming it, in JSON too', async () => {
      const [, globalPolicy] = parseManifestsOf('kubernetes/network-policy-api/engine-policies.yaml');
      const file = denyAllWith('calico', [globalPolicy as object]);

      const result = await run(['--manifests', file, ...egressFromTestPod, '--json']);

      expect(result.code).toBe(1);
      expect(JSON.parse(result.stdout)).toMatchObject({
        verdict: 'unknown',
        egress: {
          verdict: 'unknown',
          reason:
            'GlobalNetworkPolicy/allow-tcp-6379 could not be evaluated (a Calico policy; kubeguard does not evaluate Calico policies)',
        },
      });
    });

    it('exits 1 when any --queries answer is unknown, and still answers every line', async () => {
      const [, globalPolicy] = parseManifestsOf('kubernetes/network-policy-api/engine-policies.yaml');
      const file = denyAllWith('calico-queries', [globalPolicy as object]);

      const result = await run(
        ['--manifests', file, '--queries', '-'],
        '{"from": "198.51.100.7", "to": "default/test-pod", "port": 80}\n',
      );

      expect(result.code).toBe(1);
      expect(JSON.parse(result.stdout)).toMatchObject({ verdict: 'unknown' });
    });
  });

  it('answers with AdminNetworkPolicies and the baseline, naming the rule that decided', async () => {
    const files = ['cluster.yaml', 'standard-anp-np-banp.yaml'].map(
      (f) => `kubernetes/network-policy-api/${f}`,
    );
    const file = join(WORK, 'anp.yaml');
    writeFileSync(file, files.map(readFixtureText).join('\n---\n'));

    const result = await run([
      '--manifests',
      file,
      '--from',
      'network-policy-conformance-slytherin/draco-malfoy-0',
      '--to',
      'network-policy-conformance-gryffindor/harry-potter-0',
      '--port',
      '80',
    ]);

    expect(result).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        'deny: network-policy-conformance-slytherin/draco-malfoy-0 -> network-policy-conformance-gryffindor/harry-potter-0 on TCP/80',
        '  egress  from network-policy-conformance-slytherin/draco-malfoy-0: allow (not isolated: no NetworkPolicy selects it for egress)',
        '  ingress to network-policy-conformance-gryffindor/harry-potter-0: deny (AdminNetworkPolicy/pass-example ingress[0] "deny-all-ingress-from-slytherin": Deny)',
        '',
      ].join('\n'),
    });
  });
});

function parseManifestsOf(name: string): unknown[] {
  return parseManifests(readFixtureText(name), name).objects.map((o) => o.object);
}
