import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { POD_VARIABLES } from '#core/policy-as-code/checks.ts';
import {
  generatePolicies,
  type PolicyCheckResult,
  type PolicyInput,
  PolicyInputError,
  policyInputFromJson,
  policyName,
} from '#core/policy-as-code/generate.ts';
import { jsonReport } from '#core/posture/export/json.ts';
import { AdmissionPolicy } from '#test/support/admission-policy.ts';
import { auditEverything } from '#test/support/policy-as-code.ts';

const HOST_PID = {
  id: 'KP-061',
  title: 'No host PID namespace',
  cis: ['4.2.2'],
  pss: 'baseline' as const,
  remediation: 'Remove spec.hostPID.',
};

function result(
  checkId: string,
  status: PolicyCheckResult['status'],
  namespace: string | undefined,
  name: string,
  message = status === 'fail' ? 'spec.hostPID is true' : 'ok',
): PolicyCheckResult {
  return {
    checkId,
    status,
    object: { kind: 'Deployment', ...(namespace === undefined ? {} : { namespace }), name },
    message,
  };
}

const INPUT: PolicyInput = {
  cluster: 'prod',
  takenAt: '2026-12-03T10:00:00.000Z',
  checks: [HOST_PID, { id: 'KP-040', title: 'No cluster-admin bindings', cis: ['5.1.1'] }],
  results: [
    result('KP-061', 'fail', 'shop', 'agent'),
    result('KP-061', 'pass', 'shop', 'web'),
    result('KP-061', 'pass', 'payments', 'api'),
    result('KP-061', 'pass', undefined, 'legacy'),
    result('KP-040', 'fail', undefined, 'ops-admin'),
  ],
};

const METADATA = {
  name: 'kubeguard-kp-061-no-host-pid-namespace',
  labels: { 'app.kubernetes.io/managed-by': 'kubeguard', 'kubeguard.io/check': 'KP-061' },
  annotations: {
    'kubeguard.io/title': 'No host PID namespace',
    'kubeguard.io/references': 'CIS 4.2.2, PSS baseline: Host Namespaces',
    'kubeguard.io/generated-from': 'audit of prod at 2026-12-03T10:00:00.000Z',
  },
};
const EXPRESSION =
  '!has(variables.template.spec) || (!(has(variables.podSpec.hostPID) && variables.podSpec.hostPID == true))';
const MESSAGE =
  'kubeguard KP-061 No host PID namespace (CIS 4.2.2; PSS baseline: Host Namespaces): Remove spec.hostPID.';

describe('generatePolicies (vap)', () => {
  const generated = generatePolicies(INPUT, { engine: 'vap', mode: 'deny' });

  it('writes the policy and its binding for one failed check, exactly', () => {
    expect(generated.documents).toEqual([
      {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicy',
        metadata: METADATA,
        spec: {
          failurePolicy: 'Fail',
          matchConstraints: {
            resourceRules: [
              {
                apiGroups: [''],
                apiVersions: ['v1'],
                operations: ['CREATE', 'UPDATE'],
                resources: ['pods', 'pods/ephemeralcontainers', 'replicationcontrollers'],
              },
              {
                apiGroups: ['apps'],
                apiVersions: ['v1'],
                operations: ['CREATE', 'UPDATE'],
                resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'],
              },
              {
                apiGroups: ['batch'],
                apiVersions: ['v1'],
                operations: ['CREATE', 'UPDATE'],
                resources: ['jobs', 'cronjobs'],
              },
            ],
          },
          variables: POD_VARIABLES,
          validations: [{ expression: EXPRESSION, message: MESSAGE, reason: 'Invalid' }],
        },
      },
      {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicyBinding',
        metadata: { name: METADATA.name, labels: METADATA.labels },
        spec: {
          policyName: METADATA.name,
          validationActions: ['Deny', 'Audit'],
          matchResources: {
            namespaceSelector: {
              matchExpressions: [
                { key: 'kubernetes.io/metadata.name', operator: 'In', values: ['default', 'payments'] },
              ],
            },
          },
        },
      },
    ]);
  });

  it('binds only namespaces where every result passed (a manifest without namespace is in default)', () => {
    expect(generated.policies).toEqual([
      {
        checkId: 'KP-061',
        name: METADATA.name,
        namespaces: ['default', 'payments'],
        references: ['CIS 4.2.2', 'PSS baseline: Host Namespaces'],
      },
    ]);
    expect(generated.mustChange).toEqual([
      {
        checkId: 'KP-061',
        object: { kind: 'Deployment', namespace: 'shop', name: 'agent' },
        message: 'spec.hostPID is true',
      },
    ]);
    expect(generated.notGenerated).toEqual([]);
  });

  it('writes the documents as YAML under a comment header per policy', () => {
    expect(parseAllDocuments(generated.yaml).map((d) => d.toJS())).toEqual(generated.documents);
    expect(generated.yaml).toMatch(
      /^# kubeguard policy generate: ValidatingAdmissionPolicies and bindings \(mode deny\)\n# from the audit of prod at 2026-12-03T10:00:00.000Z: 1 policy, each bound only to the namespaces where its check passed.\n# KP-061 No host PID namespace\n# references: CIS 4.2.2, PSS baseline: Host Namespaces\n# namespaces where it passed: default, payments\n# workloads that must change first: 1\napiVersion: admissionregistration.k8s.io\/v1\n/,
    );
  });

  it('applies to Pods and the workload controllers on CREATE and UPDATE only', () => {
    const policy = AdmissionPolicy.fromDocuments(generated.documents);
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'payments' },
      spec: { hostPID: true, containers: [{ name: 'c', image: 'x:1' }] },
    };
    const request = (
      operation: 'CREATE' | 'UPDATE' | 'DELETE',
      kind: string,
      resource: string,
      group = '',
    ) => ({
      operation,
      resource: { group, version: 'v1', resource },
      kind: { group, version: 'v1', kind },
      namespace: 'payments',
      name: 'p',
      userInfo: { username: 'alice' },
      object: operation === 'DELETE' ? null : { ...pod, kind },
      oldObject: operation === 'CREATE' ? null : { ...pod, kind },
    });
    expect(policy.evaluate(request('CREATE', 'Pod', 'pods'))).toEqual({
      matched: true,
      allowed: false,
      denials: [MESSAGE],
    });
    expect(policy.evaluate(request('UPDATE', 'Pod', 'pods')).allowed).toBe(false);
    expect(policy.evaluate(request('DELETE', 'Pod', 'pods')).matched).toBe(false);
    // `kubectl debug`: an ephemeral container added through the subresource is checked too.
    expect(
      policy.evaluate({ ...request('UPDATE', 'Pod', 'pods'), subResource: 'ephemeralcontainers' }).allowed,
    ).toBe(false);
    expect(policy.evaluate({ ...request('UPDATE', 'Pod', 'pods'), subResource: 'status' }).matched).toBe(
      false,
    );
    expect(policy.evaluate(request('CREATE', 'Service', 'services')).matched).toBe(false);
    expect(policy.evaluate(request('CREATE', 'Deployment', 'deployments', 'apps'))).toEqual({
      matched: true,
      allowed: true,
      denials: [],
    });
    expect(policy.bindsNamespace({ 'kubernetes.io/metadata.name': 'payments' })).toBe(true);
    expect(policy.bindsNamespace({ 'kubernetes.io/metadata.name': 'shop' })).toBe(false);
  });

  it('warns (and audits) in warn mode', () => {
    const warn = generatePolicies(INPUT, { engine: 'vap', mode: 'warn' });
    expect((warn.documents[1] as { spec: { validationActions: string[] } }).spec.validationActions).toEqual([
      'Warn',
      'Audit',
    ]);
  });

  it('keeps the policy but writes no binding when no namespace passed; the workloads are listed', () => {
    const failing: PolicyInput = { ...INPUT, results: [result('KP-061', 'fail', 'shop', 'agent')] };
    const vap = generatePolicies(failing, { engine: 'vap', mode: 'deny' });
    expect(vap.documents.map((d) => d.kind)).toEqual(['ValidatingAdmissionPolicy']);
    expect(vap.policies[0]?.namespaces).toEqual([]);
    expect(vap.mustChange).toHaveLength(1);
    expect(vap.yaml).toContain('# no namespace passed: no binding until the workloads that fail it change\n');

    const kyverno = generatePolicies(failing, { engine: 'kyverno', mode: 'deny' });
    expect(kyverno.documents).toEqual([]);
    expect(kyverno.yaml).toBe('');
    expect(kyverno.mustChange).toHaveLength(1);
    expect(kyverno.notGenerated).toEqual([
      {
        checkId: 'KP-061',
        reason:
          'no namespace passed KP-061, and a Kyverno ClusterPolicy cannot be left unbound: change the workloads listed, audit again and generate',
      },
    ]);
  });

  it('generates nothing for checks that passed or are outside Pod Security and registry/tag', () => {
    const passing: PolicyInput = {
      ...INPUT,
      results: INPUT.results.filter((r) => r.status === 'pass' || r.checkId === 'KP-040'),
    };
    expect(generatePolicies(passing, { engine: 'vap', mode: 'deny' })).toEqual({
      documents: [],
      yaml: '',
      policies: [],
      mustChange: [],
      notGenerated: [],
    });
  });
});

describe('generatePolicies (kyverno)', () => {
  it('writes one ClusterPolicy for one failed check, exactly', () => {
    const generated = generatePolicies(INPUT, { engine: 'kyverno', mode: 'warn' });
    expect(generated.documents).toEqual([
      {
        apiVersion: 'kyverno.io/v1',
        kind: 'ClusterPolicy',
        metadata: {
          ...METADATA,
          annotations: {
            ...METADATA.annotations,
            'policies.kyverno.io/title': 'KP-061 No host PID namespace',
            'policies.kyverno.io/category': 'Pod Security',
            'policies.kyverno.io/subject': 'Pod',
            'pod-policies.kyverno.io/autogen-controllers': 'none',
          },
        },
        spec: {
          background: true,
          emitWarning: true,
          rules: [
            {
              name: 'kp-061',
              match: {
                any: [
                  {
                    resources: {
                      kinds: [
                        'Pod',
                        'ReplicationController',
                        'Deployment',
                        'StatefulSet',
                        'DaemonSet',
                        'ReplicaSet',
                        'Job',
                        'CronJob',
                        'Pod/ephemeralcontainers',
                      ],
                      namespaces: ['default', 'payments'],
                      operations: ['CREATE', 'UPDATE'],
                    },
                  },
                ],
              },
              validate: {
                failureAction: 'Audit',
                cel: {
                  variables: POD_VARIABLES,
                  expressions: [{ expression: EXPRESSION, message: MESSAGE }],
                },
              },
            },
          ],
        },
      },
    ]);
    const deny = generatePolicies(INPUT, { engine: 'kyverno', mode: 'deny' }).documents[0] as {
      spec: { emitWarning?: boolean; rules: { validate: { failureAction: string } }[] };
    };
    expect(deny.spec.emitWarning).toBeUndefined();
    expect(deny.spec.rules[0]?.validate.failureAction).toBe('Enforce');
  });
});

describe('KP-086 approved registries', () => {
  const check = { id: 'KP-086', title: 'Images from approved registries only', cis: ['5.1.4'] };
  const input = (message: string): PolicyInput => ({
    ...INPUT,
    checks: [check],
    results: [result('KP-086', 'fail', 'shop', 'web', message), result('KP-086', 'pass', 'payments', 'api')],
  });
  const image = (name: string) => ({
    operation: 'CREATE' as const,
    resource: { group: '', version: 'v1', resource: 'pods' },
    kind: { group: '', version: 'v1', kind: 'Pod' },
    namespace: 'payments',
    name: 'p',
    userInfo: { username: 'alice' },
    object: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'c', image: name }] },
    },
    oldObject: null,
  });

  it('takes the allow-list from the report’s failure messages', () => {
    const generated = generatePolicies(
      input(
        'spec.containers[0].image is "nginx" (container "web"; not from ghcr.io/acme, 1234.dkr.ecr.eu-west-1.amazonaws.com)',
      ),
      { engine: 'vap', mode: 'deny' },
    );
    const policy = AdmissionPolicy.fromDocuments(generated.documents);
    expect(policy.evaluate(image('ghcr.io/acme/app:1')).allowed).toBe(true);
    expect(policy.evaluate(image('1234.dkr.ecr.eu-west-1.amazonaws.com/shop:2')).allowed).toBe(true);
    expect(policy.evaluate(image('ghcr.io/acmecorp/app:1')).allowed).toBe(false);
    expect(policy.evaluate(image('nginx')).allowed).toBe(false);
  });

  it('prefers the option, and lists KP-086 as not generated without either', () => {
    const option = generatePolicies(input('no list here'), {
      engine: 'vap',
      mode: 'deny',
      approvedRegistries: ['docker.io/library/'],
    });
    expect(AdmissionPolicy.fromDocuments(option.documents).evaluate(image('nginx:1.27')).allowed).toBe(true);

    const none = generatePolicies(input('no list here'), { engine: 'vap', mode: 'deny' });
    expect(none.documents).toEqual([]);
    expect(none.notGenerated).toEqual([
      {
        checkId: 'KP-086',
        reason:
          'the approved registries are not in the report: give them with --approved-registry (approvedRegistries)',
      },
    ]);
  });
});

describe('policyName', () => {
  it('is DNS-1123 and at most 63 characters, cut at a word', () => {
    expect(policyName({ id: 'KP-069', title: 'Capabilities drop ALL; add only NET_BIND_SERVICE' })).toBe(
      'kubeguard-kp-069-capabilities-drop-all-add-only-net-bind',
    );
    expect(policyName({ id: 'KP-079', title: 'No host in probes or lifecycle hooks' })).toBe(
      'kubeguard-kp-079-no-host-in-probes-or-lifecycle-hooks',
    );
  });
});

describe('policyInputFromJson', () => {
  it('reads the JSON report of kubeguard audit, and an AuditReport is a PolicyInput as it is', () => {
    const report = auditEverything();
    const json = JSON.parse(JSON.stringify(jsonReport(report))) as unknown;
    const input = policyInputFromJson(json);
    expect(generatePolicies(input, { engine: 'vap', mode: 'warn' }).yaml).toBe(
      generatePolicies(report, { engine: 'vap', mode: 'warn' }).yaml,
    );
  });

  it.each([
    [[], '', 'the report is an array: expected the JSON object of an audit report'],
    [{ score: 3 }, '', 'the report has neither "results" nor "checks": it is not an audit report'],
    [{ checks: [], results: {} }, 'results', 'results is an object: expected an array'],
    [
      { checks: [{ id: 'KP-061' }], results: [] },
      'checks[0].title',
      'checks[0].title is missing: expected a string',
    ],
    [
      { checks: [HOST_PID], results: [{ ...result('KP-061', 'fail', 'a', 'b'), status: 'FAIL' }] },
      'results[0].status',
      'results[0].status is string "FAIL": expected "pass", "fail" or "skip"',
    ],
    [
      { checks: [HOST_PID], results: [result('KP-099', 'fail', 'a', 'b')] },
      'results[0].checkId',
      'results[0].checkId is "KP-099", a check missing from "checks"',
    ],
    [{ checks: [HOST_PID], results: [] }, 'cluster', 'cluster is missing: expected a string'],
  ])('%j is refused naming %s', (json, field, message) => {
    let error: unknown;
    try {
      policyInputFromJson(json);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PolicyInputError);
    expect((error as PolicyInputError).field).toBe(field);
    expect((error as PolicyInputError).code).toBe('INVALID_ARGUMENT');
    expect((error as PolicyInputError).message.startsWith(`${message}; `)).toBe(true);
  });
});
