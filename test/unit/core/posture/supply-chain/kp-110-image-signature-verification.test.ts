import { describe, expect, it } from 'vitest';
import { type LoadedObject, parseManifests } from '#core/manifests/load.ts';
import { kp110 } from '#core/posture/checks/kp-110-image-signature-verification.ts';
import { kyvernoImageReference } from '#core/posture/checks/kp-110-signature-policies.ts';
import { runCheck } from '#core/posture/engine.ts';
import { snapshotFromManifests } from '#core/posture/manifest-snapshot.ts';
import type { ClusterSnapshot } from '#core/posture/snapshot.ts';
import { readFixtureText } from '#test/support/fixtures.ts';
import { TAKEN_AT } from '../support.ts';

/**
 * KP-110 on the public samples of test/fixtures/kubernetes/signature-policies (README names the
 * repository, commit and path of each); variants change values of copies in code.
 */
type Json = Record<string, unknown>;

function fixture(name: string): Json[] {
  const parsed = parseManifests(readFixtureText(`kubernetes/signature-policies/${name}`), name);
  if (parsed.errors.length > 0) throw new Error(`${name}: ${parsed.errors.map((e) => e.reason).join('; ')}`);
  return parsed.objects.map((loaded) => structuredClone(loaded.object) as Json);
}

function only(objects: Json[], kind: string): Json {
  const found = objects.filter((object) => object.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, got ${found.length}`);
  return found[0] as Json;
}

const spec = (object: Json) => object.spec as Json;

/** An apps/v1 Deployment running one container in the namespace. */
function deployment(namespace: string, name = 'web'): Json {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name, image: `ghcr.io/kyverno/test-verify-image:signed` }] },
      },
    },
  };
}

function firstImage(workload: Json, image: string): void {
  const podSpec = ((spec(workload).template as Json).spec as Json).containers as Json[];
  (podSpec[0] as Json).image = image;
}

function namespace(name: string, labels: Record<string, string> = {}): Json {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

function snapshot(...objects: Json[]): ClusterSnapshot {
  return snapshotFromManifests(
    objects.map((object, index) => ({
      object: object as LoadedObject['object'],
      file: 'cluster.yaml',
      index,
    })),
    TAKEN_AT,
  );
}

const workloads = (...namespaces: string[]) => namespaces.map((ns) => deployment(ns));

function result(...objects: Json[]) {
  const results = kp110.evaluate(snapshot(...objects));
  expect(results).toHaveLength(1);
  const [first] = results;
  if (first === undefined) throw new Error('no result');
  return first;
}

describe('KP-110 image signature verification enforced: Kyverno verifyImages', () => {
  it('passes a Notary verifyImages ClusterPolicy in Enforce matching Pods everywhere', () => {
    const r = result(
      ...fixture('kyverno-notary-image-verification.yaml'),
      ...workloads('shop', 'payments', 'kube-system'),
    );

    expect(r.status).toBe('pass');
    expect(r.object).toEqual({ kind: 'Cluster', name: 'manifests' });
    expect(r.message).toBe(
      'image signature verification is enforced in every namespace that runs workloads (2), by ClusterPolicy "check-image-notary" (Kyverno verifyImages)',
    );
  });

  it('fails a verifyImages rule in Audit, saying why it does not enforce', () => {
    const r = result(
      ...fixture('kyverno-verify-image-background-audit.yaml'),
      ...workloads('shop', 'payments'),
    );

    expect(r.status).toBe('fail');
    expect(r.severity).toBe('medium');
    expect(r.message).toBe(
      'no admission policy enforces image signature verification (ClusterPolicy "keyed-basic-policy": failureAction is Audit); workloads run unverified in 2 namespaces: payments, shop',
    );
    expect(r.evidence).toEqual({
      'signature policies': 'ClusterPolicy "keyed-basic-policy" (Kyverno verifyImages) (1)',
      'uncovered namespaces': 'payments, shop (2)',
    });
  });

  it('covers only the namespaces its namespaceSelector selects, naming the others', () => {
    const r = result(
      ...fixture('kyverno-keyed-basic-namespace-selector.yaml'),
      namespace('shop', { signed: 'true' }),
      namespace('payments', { signed: 'false' }),
      namespace('reporting'),
      ...workloads('shop', 'payments', 'reporting'),
    );

    expect(r.status).toBe('fail');
    expect(r.message).toBe(
      '2 of 3 namespaces that run workloads are not covered by an enforcing signature policy: payments, reporting (enforcing: ClusterPolicy "keyed-basic-ns-selector-policy" (Kyverno verifyImages))',
    );
    expect(r.evidence?.['uncovered namespaces']).toBe('payments, reporting (2)');
  });

  it('uncovers the namespaces an exclude block reaches (wildcards), not those of an excluded requester', () => {
    const objects = fixture('kyverno-notary-image-verification.yaml');
    const rule = (spec(only(objects, 'ClusterPolicy')).rules as Json[])[0] as Json;
    rule.exclude = {
      any: [{ resources: { namespaces: ['legacy-*'] } }, { clusterRoles: ['cluster-admin'] }],
    };

    const r = result(...objects, ...workloads('shop', 'legacy-billing', 'legacy-crm'));

    expect(r.message).toBe(
      '2 of 3 namespaces that run workloads are not covered by an enforcing signature policy: legacy-billing, legacy-crm (enforcing: ClusterPolicy "check-image-notary" (Kyverno verifyImages))',
    );
  });

  it('does not count a match narrowed to some pods (pod label selector) as covering the namespace', () => {
    const objects = fixture('kyverno-notary-image-verification.yaml');
    const rule = (spec(only(objects, 'ClusterPolicy')).rules as Json[])[0] as Json;
    ((rule.match as Json).any as Json[])[0] = {
      resources: { kinds: ['Pod'], selector: { matchLabels: { signed: 'true' } } },
    };

    expect(result(...objects, ...workloads('shop')).message).toBe(
      'no signature policy covers a namespace that runs workloads (ClusterPolicy "check-image-notary"); workloads run unverified in 1 namespace: shop',
    );
  });

  it('resolves the action as Kyverno does: the policy-wide action and its per-namespace overrides', () => {
    const objects = fixture('kyverno-verify-image-background-audit.yaml');
    const policy = only(objects, 'ClusterPolicy');
    const rule = (spec(policy).rules as Json[])[0] as Json;
    delete ((rule.verifyImages as Json[])[0] as Json).failureAction;
    spec(policy).validationFailureAction = 'Enforce';
    spec(policy).validationFailureActionOverrides = [{ action: 'Audit', namespaces: ['sandbox'] }];

    const r = result(...objects, ...workloads('shop', 'sandbox'));

    expect(r.message).toBe(
      '1 of 2 namespaces that run workloads is not covered by an enforcing signature policy: sandbox (enforcing: ClusterPolicy "keyed-basic-policy" (Kyverno verifyImages))',
    );
  });

  it('an Enforce on any verifyImages entry of the rule wins over the policy-wide Audit', () => {
    const objects = fixture('kyverno-verify-image-background-audit.yaml');
    const policy = only(objects, 'ClusterPolicy');
    const rule = (spec(policy).rules as Json[])[0] as Json;
    (rule.verifyImages as Json[]).push({
      ...((rule.verifyImages as Json[])[0] as Json),
      failureAction: 'Enforce',
    });
    spec(policy).validationFailureAction = 'Audit';

    expect(result(...objects, ...workloads('shop')).status).toBe('pass');
  });

  it('leaves a namespace uncovered when it runs an image outside the rule’s imageReferences', () => {
    const objects = fixture('kyverno-notary-image-verification.yaml');
    const outside = deployment('shop', 'cache');
    firstImage(outside, 'redis:7.2');

    const r = result(...objects, ...workloads('shop', 'payments'), outside);

    expect(r.message).toBe(
      '1 of 2 namespaces that run workloads is not covered by an enforcing signature policy: shop (1 image not verified: "redis:7.2") (enforcing: ClusterPolicy "check-image-notary" (Kyverno verifyImages))',
    );
    expect(r.evidence?.['images not verified']).toBe('shop: redis:7.2 (1)');
  });

  it('skipImageReferences and entries without attestors verify nothing', () => {
    const objects = fixture('kyverno-notary-image-verification.yaml');
    const rule = (spec(only(objects, 'ClusterPolicy')).rules as Json[])[0] as Json;
    const entry = (rule.verifyImages as Json[])[0] as Json;
    entry.skipImageReferences = ['ghcr.io/kyverno/test-verify-image:unsigned*'];
    const skipped = deployment('shop', 'legacy');
    firstImage(skipped, 'ghcr.io/kyverno/test-verify-image:unsigned-1');

    expect(result(...objects, ...workloads('shop'), skipped).evidence?.['images not verified']).toBe(
      'shop: ghcr.io/kyverno/test-verify-image:unsigned-1 (1)',
    );

    delete entry.skipImageReferences;
    delete entry.attestors;
    expect(result(...objects, ...workloads('shop')).status).toBe('fail');
  });

  it('matches images as Kyverno writes them: default registry docker.io, :latest when untagged, digest over tag', () => {
    expect(kyvernoImageReference('nginx')).toBe('docker.io/nginx:latest');
    expect(kyvernoImageReference('library/nginx:1.27')).toBe('docker.io/library/nginx:1.27');
    expect(kyvernoImageReference(`nginx:1.27@sha256:${'a'.repeat(64)}`)).toBe(
      `docker.io/nginx@sha256:${'a'.repeat(64)}`,
    );
    expect(kyvernoImageReference('localhost:5000/team/app')).toBe('localhost:5000/team/app:latest');
    expect(kyvernoImageReference('123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/web:1.4.2')).toBe(
      '123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/web:1.4.2',
    );
  });

  it('a policy turned off at admission (spec.admission: false) enforces nothing', () => {
    const objects = fixture('kyverno-notary-image-verification.yaml');
    spec(only(objects, 'ClusterPolicy')).admission = false;

    expect(result(...objects, ...workloads('shop')).message).toBe(
      'no admission policy enforces image signature verification (ClusterPolicy "check-image-notary": spec.admission is false (applied in background scans only)); workloads run unverified in 1 namespace: shop',
    );
  });

  it('a namespaced Kyverno Policy covers its own namespace only', () => {
    const objects = fixture('kyverno-notary-image-verification.yaml');
    const policy = only(objects, 'ClusterPolicy');
    policy.kind = 'Policy';
    (policy.metadata as Json).namespace = 'shop';

    expect(result(...objects, ...workloads('shop', 'payments')).message).toBe(
      '1 of 2 namespaces that run workloads is not covered by an enforcing signature policy: payments (enforcing: Policy shop/"check-image-notary" (Kyverno verifyImages))',
    );
  });
});

describe('KP-110 image signature verification enforced: Ratify with Gatekeeper', () => {
  const ratify = (...verifiers: string[]) => [
    ...fixture('ratify-template.yaml'),
    ...fixture('ratify-constraint.yaml'),
    ...verifiers.flatMap(fixture),
  ];

  it('the sample constraint covers "default" only: the rest is named, bounded, with the count', () => {
    const spread = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].map((s) => `team-${s}`);
    const r = result(
      ...ratify('ratify-verifier-notation.yaml'),
      ...workloads('default', ...spread, 'kube-system'),
    );

    expect(r.status).toBe('fail');
    expect(r.message).toBe(
      '10 of 11 namespaces that run workloads are not covered by an enforcing signature policy: team-a, team-b, team-c, team-d, team-e, team-f, team-g, team-h and 2 more (enforcing: RatifyVerification "ratify-constraint" (Ratify via Gatekeeper, verifier notation))',
    );
    expect(r.evidence?.['uncovered namespaces']).toBe(
      'team-a, team-b, team-c, team-d, team-e, team-f, team-g, team-h and 2 more (10)',
    );
  });

  it('passes a deny constraint over every namespace but the excluded system ones, naming AWS Signer', () => {
    const objects = ratify('ratify-verifiers-aws-signer.yaml');
    const match = spec(only(objects, 'RatifyVerification')).match as Json;
    delete match.namespaces;
    match.excludedNamespaces = ['kube-*', 'gatekeeper-system'];

    const r = result(...objects, ...workloads('default', 'shop', 'kube-system'));

    expect(r.message).toBe(
      'image signature verification is enforced in every namespace that runs workloads (2), by RatifyVerification "ratify-constraint" (Ratify via Gatekeeper, verifier notation with AWS Signer)',
    );
  });

  it('excludedNamespaces globs uncover application namespaces they reach', () => {
    const objects = ratify('ratify-verifier-cosign.yaml');
    const match = spec(only(objects, 'RatifyVerification')).match as Json;
    delete match.namespaces;
    match.excludedNamespaces = ['*-dev'];

    expect(result(...objects, ...workloads('shop', 'shop-dev')).message).toBe(
      '1 of 2 namespaces that run workloads is not covered by an enforcing signature policy: shop-dev (enforcing: RatifyVerification "ratify-constraint" (Ratify via Gatekeeper, verifier cosign))',
    );
  });

  it('dryrun and warn do not enforce', () => {
    for (const action of ['dryrun', 'warn']) {
      const objects = ratify('ratify-verifier-notation.yaml');
      spec(only(objects, 'RatifyVerification')).enforcementAction = action;

      expect(result(...objects, ...workloads('default')).message).toBe(
        `no admission policy enforces image signature verification (RatifyVerification "ratify-constraint": enforcementAction is ${action}); workloads run unverified in 1 namespace: default`,
      );
    }
  });

  it('scoped enforces when it denies at the admission enforcement point only', () => {
    const objects = ratify('ratify-verifier-notation.yaml');
    const constraint = spec(only(objects, 'RatifyVerification'));
    constraint.enforcementAction = 'scoped';
    constraint.scopedEnforcementActions = [
      { action: 'warn', enforcementPoints: [{ name: 'validation.gatekeeper.sh' }] },
      { action: 'deny', enforcementPoints: [{ name: 'gator.gatekeeper.sh' }] },
    ];
    expect(result(...objects, ...workloads('default')).message).toContain(
      'enforcementAction is scoped: warn at admission',
    );

    (constraint.scopedEnforcementActions as Json[]).push({
      action: 'deny',
      enforcementPoints: [{ name: 'validation.gatekeeper.sh' }],
    });
    expect(result(...objects, ...workloads('default')).status).toBe('pass');
  });

  it('a constraint without a notation or cosign Verifier verifies nothing', () => {
    expect(result(...ratify(), ...workloads('default')).message).toBe(
      'no admission policy enforces image signature verification (RatifyVerification "ratify-constraint": no Ratify Verifier of type notation or cosign); workloads run unverified in 1 namespace: default',
    );
  });

  it('recognises a constraint kind of any template that calls the Ratify provider', () => {
    const objects = ratify('ratify-verifier-notation.yaml');
    const template = only(objects, 'ConstraintTemplate');
    (((spec(template).crd as Json).spec as Json).names as Json).kind = 'SignedImagesOnly';
    only(objects, 'RatifyVerification').kind = 'SignedImagesOnly';

    expect(result(...objects, ...workloads('default')).message).toBe(
      'image signature verification is enforced in every namespace that runs workloads (1), by SignedImagesOnly "ratify-constraint" (Ratify via Gatekeeper, verifier notation)',
    );

    (spec(template).targets as Json[])[0] = { target: 'admission.k8s.gatekeeper.sh', rego: 'package other' };
    expect(result(...objects, ...workloads('default')).message).toBe(
      'no admission policy verifies image signatures (Kyverno verifyImages, Ratify with Gatekeeper); workloads run unverified in 1 namespace: default',
    );
  });
});

describe('KP-110 scope', () => {
  it('fails with no signature policy at all, ignoring system namespaces', () => {
    const r = result(...workloads('shop', 'kube-system', 'kube-public'));

    expect(r.message).toBe(
      'no admission policy verifies image signatures (Kyverno verifyImages, Ratify with Gatekeeper); workloads run unverified in 1 namespace: shop',
    );
    expect(r.evidence).toEqual({ 'uncovered namespaces': 'shop (1)' });
  });

  it('has nothing to check when only system namespaces run workloads', () => {
    expect(kp110.evaluate(snapshot(...workloads('kube-system')))).toEqual([]);
  });

  it('runs on an offline audit of manifests, and is skipped with the reason when policies cannot be read', () => {
    const offline = snapshot(...fixture('kyverno-notary-image-verification.yaml'), ...workloads('shop'));
    expect(runCheck(kp110, offline)[0]?.status).toBe('pass');

    const live = {
      ...offline,
      unavailable: { admissionpolicies: 'no permission to list clusterpolicies.kyverno.io' },
    };
    expect(runCheck(kp110, live)[0]?.message).toBe(
      'skipped: admissionpolicies unavailable: no permission to list clusterpolicies.kyverno.io',
    );
  });
});
