import { describe, expect, it } from 'vitest';
import { generatePolicies, type PolicyMode } from '#core/policy-as-code/generate.ts';
import { AdmissionPolicy } from '#test/support/admission-policy.ts';
import { readFixtureFile } from '#test/support/fixtures.ts';
import { type Schema, type SchemaDocument, validate } from '#test/support/openapi-validator.ts';
import { auditEverything } from '#test/support/policy-as-code.ts';

/**
 * The generated documents are valid Kubernetes objects: every ValidatingAdmissionPolicy and binding
 * against the admissionregistration.k8s.io/v1 OpenAPI v3 schema of kubernetes/kubernetes, every
 * Kyverno ClusterPolicy against the v1 openAPIV3Schema of Kyverno's CRD (both trimmed copies, see
 * their READMEs), plus the rules the API server's validation adds to the schema.
 */

const K8S = readFixtureFile(
  'kubernetes/openapi/apis__admissionregistration.k8s.io__v1_openapi.trimmed.json',
) as SchemaDocument;
const VAP_SCHEMA: Schema = {
  $ref: '#/components/schemas/io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicy',
};
const BINDING_SCHEMA: Schema = {
  $ref: '#/components/schemas/io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicyBinding',
};
const KYVERNO = readFixtureFile('kyverno/clusterpolicy-v1.openapi.trimmed.json') as {
  openAPIV3Schema: Schema;
};

const REPORT = auditEverything();
const MODES: PolicyMode[] = ['warn', 'deny'];
const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A CEL identifier, as the API server requires of variable names. */
const CEL_IDENTIFIER = /^[_a-zA-Z][_a-zA-Z0-9]*$/;

type Document = Record<string, unknown> & { kind: string; metadata: { name: string } };

function vap(mode: PolicyMode): Document[] {
  return generatePolicies(REPORT, { engine: 'vap', mode }).documents as Document[];
}

describe('the OpenAPI subset validator', () => {
  it('reports unknown properties, wrong types, missing required fields and enum values', () => {
    const policy = vap('deny')[0] as Document;
    const broken = {
      ...policy,
      metadata: { ...policy.metadata, labels: { a: 1 } },
      spec: {
        ...(policy.spec as object),
        validationActions: ['Deny'],
        variables: [{ name: 'x' }],
        failurePolicy: 7,
      },
    };

    expect(validate(broken, VAP_SCHEMA, K8S)).toEqual([
      'metadata.labels.a: expected string, got integer',
      'spec.failurePolicy: expected string, got integer',
      'spec.variables[0]: missing required property expression',
      'spec.validationActions: unknown property',
    ]);
    expect(
      validate(
        { spec: { rules: [{ name: 'r', validate: { failureAction: 'Block' } }] } },
        KYVERNO.openAPIV3Schema,
      ),
    ).toContain('spec.rules[0].validate.failureAction: "Block" is not one of ["Audit","Enforce"]');
  });
});

describe.each(MODES)('ValidatingAdmissionPolicies (mode %s)', (mode) => {
  const documents = vap(mode);
  const policies = documents.filter((d) => d.kind === 'ValidatingAdmissionPolicy');
  const bindings = documents.filter((d) => d.kind === 'ValidatingAdmissionPolicyBinding');

  it('are valid against the admissionregistration.k8s.io/v1 schema', () => {
    expect(policies.length).toBeGreaterThanOrEqual(21);
    expect(bindings.length).toBeGreaterThanOrEqual(policies.length - 1);
    for (const policy of policies)
      expect(validate(policy, VAP_SCHEMA, K8S), policy.metadata.name).toEqual([]);
    for (const binding of bindings)
      expect(validate(binding, BINDING_SCHEMA, K8S), binding.metadata.name).toEqual([]);
  });

  it('pass the API server validation beyond the schema', () => {
    for (const document of documents) {
      expect(document.apiVersion).toBe('admissionregistration.k8s.io/v1');
      expect(document.metadata.name).toMatch(DNS_1123_LABEL);
      expect(document.metadata.name.length).toBeLessThanOrEqual(63);
    }
    for (const policy of policies) {
      const spec = policy.spec as {
        failurePolicy: string;
        variables: { name: string }[];
        validations: { message: string; reason: string }[];
        matchConstraints: { resourceRules: unknown[] };
      };
      expect(spec.failurePolicy).toBe('Fail');
      expect(spec.matchConstraints.resourceRules.length).toBeGreaterThan(0);
      expect(spec.variables.every((v) => CEL_IDENTIFIER.test(v.name))).toBe(true);
      expect(new Set(spec.variables.map((v) => v.name)).size).toBe(spec.variables.length);
      for (const validation of spec.validations) {
        expect(validation.message).not.toMatch(/[\r\n]/);
        expect(['Unauthorized', 'Forbidden', 'Invalid', 'RequestEntityTooLarge']).toContain(
          validation.reason,
        );
      }
    }
    for (const binding of bindings) {
      const spec = binding.spec as { policyName: string; validationActions: string[] };
      expect(policies.map((p) => p.metadata.name)).toContain(spec.policyName);
      expect(spec.validationActions).toEqual(mode === 'deny' ? ['Deny', 'Audit'] : ['Warn', 'Audit']);
    }
  });

  // Type checking: @bufbuild/cel 0.6.1's checker does not handle calls or comprehensions yet, so the
  // expressions are parsed and planned here, and corpus-verdicts.test.ts evaluates each one on every
  // workload (a type error at run time would deny with "expression error" there and fail it).
  it('have CEL expressions that parse and plan', () => {
    for (const policy of policies) {
      const expressions = AdmissionPolicy.fromDocuments(documents, policy.metadata.name).expressions();
      expect(expressions.length).toBeGreaterThanOrEqual(6);
    }
  });
});

describe('Kyverno ClusterPolicies', () => {
  it.each(MODES)('are valid against the ClusterPolicy CRD v1 schema (mode %s)', (mode) => {
    const generated = generatePolicies(REPORT, { engine: 'kyverno', mode });
    expect(generated.documents.length).toBeGreaterThanOrEqual(20);
    for (const document of generated.documents as Document[]) {
      expect(document.metadata.name).toMatch(DNS_1123_LABEL);
      expect(validate(document, KYVERNO.openAPIV3Schema), document.metadata.name).toEqual([]);
    }
  });

  it('carry the very CEL of the ValidatingAdmissionPolicies (proven on the corpus)', () => {
    const kyverno = generatePolicies(REPORT, { engine: 'kyverno', mode: 'deny' }).documents as Document[];
    const policies = vap('deny');
    for (const cluster of kyverno) {
      const policy = policies.find((p) => p.metadata.name === cluster.metadata.name) as Document;
      const rule = (cluster.spec as { rules: { validate: { cel: unknown } }[] }).rules[0];
      const spec = policy.spec as {
        variables: unknown;
        validations: { expression: string; message: string }[];
      };
      expect(rule?.validate.cel).toEqual({
        variables: spec.variables,
        expressions: spec.validations.map(({ expression, message }) => ({ expression, message })),
      });
    }
  });
});
