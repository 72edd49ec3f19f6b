import { describe, expect, it } from 'vitest';
import { kp100 } from '#core/posture/checks/kp-100-namespace-network-policy.ts';
import { kp101 } from '#core/posture/checks/kp-101-pod-network-policy.ts';
import { kp102 } from '#core/posture/checks/kp-102-policy-selects-pods.ts';
import { kp103 } from '#core/posture/checks/kp-103-node-port.ts';
import { kp104 } from '#core/posture/checks/kp-104-internet-load-balancer.ts';
import { kp105 } from '#core/posture/checks/kp-105-ingress-tls.ts';
import { kp106 } from '#core/posture/checks/kp-106-service-targets.ts';
import { kp107 } from '#core/posture/checks/kp-107-pod-security-admission.ts';
import { kp108 } from '#core/posture/checks/kp-108-admission-webhooks.ts';
import { kp109 } from '#core/posture/checks/kp-109-deprecated-api.ts';
import { corpusObjects, corpusSnapshot, evaluate, only, snapshotOf, variant } from '../support.ts';

type Json = Record<string, unknown>;

/** The NetworkPolicy of m23.yaml (selects security=medium for Ingress and Egress), edited. */
function policyFrom(change: (policy: Json) => void = () => {}): Json {
  const policy = structuredClone(corpusObjects('m23.yaml')[1]?.object) as Json;
  change(policy);
  return policy;
}

/** The Pod of m23.yaml (labels security=medium). */
function pod(): Json {
  return structuredClone(corpusObjects('m23.yaml')[0]?.object) as Json;
}

const DEFAULT_DENY = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'default-deny', namespace: 'shop' },
  spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
};

function inShop(object: Json): Json {
  (object.metadata as Json).namespace = 'shop';
  return object;
}

describe('KP-100 NetworkPolicy per namespace', () => {
  it('fails a namespace whose workloads have no policy, reporting it on the namespace', () => {
    const result = only(kp100, corpusSnapshot('m10.yaml'));

    expect(result.object).toEqual({ kind: 'Namespace', name: 'default' });
    expect(result.message).toBe('namespace "default" has no NetworkPolicy');
    expect(result.file).toBe('m10.yaml');
  });

  it('passes a namespace with a policy', () => {
    expect(only(kp100, corpusSnapshot('m23.yaml')).status).toBe('pass');
  });

  it('inspects Namespace objects and exempts kube-system', () => {
    const namespaces = ['shop', 'kube-system'].map((name) => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name },
    }));

    const results = evaluate(kp100, snapshotOf(...namespaces));

    expect(results.map((r) => [r.object.name, r.status])).toEqual([['shop', 'fail']]);
  });
});

describe('KP-101 pod selected by ingress and egress policies', () => {
  it('fails an ingress-only policy for Egress, naming the policy that selects the pod', () => {
    const ingressOnly = policyFrom((policy) => {
      const spec = policy.spec as Json;
      spec.policyTypes = ['Ingress'];
      delete spec.egress;
    });

    const result = only(kp101, snapshotOf(pod(), ingressOnly));

    expect(result.message).toBe(
      'no NetworkPolicy in namespace "default" selects the pod labels security=medium for Egress (selected by test)',
    );
  });

  it('defaults policyTypes as the API server does (egress rules imply Egress)', () => {
    const defaulted = policyFrom((policy) => {
      delete (policy.spec as Json).policyTypes;
    });

    expect(only(kp101, snapshotOf(pod(), defaulted)).status).toBe('pass');
  });

  it('passes with a namespace default-deny (empty podSelector)', () => {
    expect(only(kp101, snapshotOf(inShop(pod()), DEFAULT_DENY)).status).toBe('pass');
  });

  it('matches matchExpressions and does not cross namespaces', () => {
    const expressions = policyFrom((policy) => {
      (policy.spec as Json).podSelector = {
        matchExpressions: [{ key: 'security', operator: 'In', values: ['medium'] }],
      };
    });

    expect(only(kp101, snapshotOf(pod(), expressions)).status).toBe('pass');
    expect(only(kp101, snapshotOf(pod(), DEFAULT_DENY)).status).toBe('fail');
  });

  it('reports a Deployment once using its template labels, not each replica', () => {
    const snapshot = variant(
      'm14.yaml',
      (deployment) => {
        const spec = deployment.spec as Json;
        spec.selector = { matchLabels: { security: 'medium' } };
        (spec.template as Json).metadata = { labels: { security: 'medium' } };
      },
      [
        policyFrom(),
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: 'nginx-abc12',
            labels: { security: 'medium' },
            ownerReferences: [
              { apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx', uid: 'u', controller: true },
            ],
          },
          spec: { containers: [{ name: 'nginx', image: 'nginx' }] },
        },
      ],
    );

    const results = evaluate(kp101, snapshot);

    expect(results.map((r) => [r.object.kind, r.status])).toEqual([['Deployment', 'pass']]);
  });
});

describe('KP-102 NetworkPolicy selects a pod', () => {
  it('fails a policy whose selector matches no pod (m22)', () => {
    const results = evaluate(kp102, corpusSnapshot('m22.yaml'));

    expect(results.map((r) => [r.object.name, r.status])).toEqual([['test', 'fail']]);
  });

  it('passes a policy that selects the pod (m23)', () => {
    expect(only(kp102, corpusSnapshot('m23.yaml')).status).toBe('pass');
  });

  it('fails a malformed selector with the reason instead of crashing', () => {
    const broken = policyFrom((policy) => {
      (policy.spec as Json).podSelector = {
        matchExpressions: [{ key: 'security', operator: 'Equals', values: ['x'] }],
      };
    });

    expect(only(kp102, snapshotOf(pod(), broken)).message).toContain('operator is "Equals"');
  });
});

describe('KP-103 NodePort Services', () => {
  it('fails NodePort and passes ClusterIP', () => {
    expect(only(kp103, corpusSnapshot('m27.yaml')).message).toBe('spec.type is "NodePort"');
    expect(only(kp103, corpusSnapshot('m28.yaml')).status).toBe('pass');
  });
});

describe('KP-104 internet-facing LoadBalancer', () => {
  const loadBalancer = (change: (service: Json) => void) =>
    variant('m28.yaml', (service) => {
      (service.spec as Json).type = 'LoadBalancer';
      change(service);
    });

  it('fails a LoadBalancer with no scheme annotation and no source ranges', () => {
    const result = only(
      kp104,
      loadBalancer(() => {}),
    );

    expect(result.status).toBe('fail');
    expect(result.message).toContain('open to any source');
  });

  it('passes the internal scheme annotation', () => {
    const snapshot = loadBalancer((service) => {
      (service.metadata as Json).annotations = {
        'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal',
      };
    });

    expect(only(kp104, snapshot).status).toBe('pass');
  });

  it('passes restricted source ranges and fails 0.0.0.0/0', () => {
    const restricted = loadBalancer((service) => {
      (service.spec as Json).loadBalancerSourceRanges = ['10.0.0.0/8'];
    });
    const open = loadBalancer((service) => {
      (service.spec as Json).loadBalancerSourceRanges = ['10.0.0.0/8', '0.0.0.0/0'];
    });

    expect(only(kp104, restricted).status).toBe('pass');
    expect(only(kp104, open).status).toBe('fail');
  });

  it('passes an AWS Load Balancer Controller NLB without a scheme (internal by default)', () => {
    const snapshot = loadBalancer((service) => {
      (service.spec as Json).loadBalancerClass = 'service.k8s.aws/nlb';
    });

    expect(only(kp104, snapshot).status).toBe('pass');
  });

  it('gives no result for a ClusterIP Service', () => {
    expect(evaluate(kp104, corpusSnapshot('m28.yaml'))).toEqual([]);
  });
});

const INGRESS = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'web', namespace: 'foospace' },
  spec: {
    ingressClassName: 'alb',
    rules: [
      {
        host: 'shop.example.com',
        http: {
          paths: [
            {
              path: '/',
              pathType: 'Prefix',
              backend: { service: { name: 'node-port-service', port: { number: 80 } } },
            },
          ],
        },
      },
    ],
  },
};

describe('KP-105 Ingress TLS', () => {
  it('fails an Ingress without TLS', () => {
    expect(only(kp105, snapshotOf(INGRESS)).status).toBe('fail');
  });

  it('passes spec.tls or an ALB certificate annotation', () => {
    const tls = structuredClone(INGRESS) as Json;
    (tls.spec as Json).tls = [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }];
    const alb = structuredClone(INGRESS) as Json;
    (alb.metadata as Json).annotations = {
      'alb.ingress.kubernetes.io/certificate-arn': 'arn:aws:acm:us-east-1:123456789012:certificate/abc',
    };

    expect(only(kp105, snapshotOf(tls)).status).toBe('pass');
    expect(only(kp105, snapshotOf(alb)).status).toBe('pass');
  });
});

describe('KP-106 Service and Ingress targets', () => {
  it('fails a Service whose selector matches no pod', () => {
    expect(only(kp106, corpusSnapshot('m28.yaml')).message).toBe(
      'spec.selector matches no pod or pod template in namespace "foospace"',
    );
  });

  it('passes a Service that selects a pod template, and an Ingress naming it', () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'my-app', namespace: 'foospace' },
      spec: {
        selector: { matchLabels: { app: 'my-app' } },
        template: {
          metadata: { labels: { app: 'my-app' } },
          spec: { containers: [{ name: 'app', image: 'app:1' }] },
        },
      },
    };
    const service = corpusObjects('m28.yaml')[0]?.object as unknown as Json;

    const results = evaluate(kp106, snapshotOf(deployment, service, INGRESS));

    expect(results.map((r) => [r.object.kind, r.status])).toEqual([
      ['Service', 'pass'],
      ['Ingress', 'pass'],
    ]);
  });

  it('fails an Ingress whose backend Service does not exist', () => {
    expect(only(kp106, snapshotOf(INGRESS)).message).toBe(
      'spec.rules[0].http.paths[0].backend names Service "node-port-service", not found',
    );
  });
});

describe('KP-107 Pod Security admission labels', () => {
  it('fails a namespace without an enforce label and passes restricted', () => {
    const bare = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } };
    const enforced = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'payments', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
    };

    const results = evaluate(kp107, snapshotOf(bare, enforced));

    expect(results.map((r) => [r.object.name, r.status])).toEqual([
      ['shop', 'fail'],
      ['payments', 'pass'],
    ]);
    expect(results[0]?.message).toBe(
      'metadata.labels["pod-security.kubernetes.io/enforce"] is not set (must be baseline or restricted)',
    );
  });

  it('fails the privileged level', () => {
    const privileged = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'ops', labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } },
    };

    expect(only(kp107, snapshotOf(privileged)).status).toBe('fail');
  });
});

describe('KP-108 admission webhooks', () => {
  const webhook = (name: string) => ({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name },
    webhooks: [
      {
        name: `${name}.example.com`,
        clientConfig: { service: { namespace: 'tools', name: 'injector', path: '/mutate' } },
        rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
        sideEffects: 'None',
        admissionReviewVersions: ['v1'],
      },
    ],
  });

  it('fails an unknown mutating webhook, naming the service it calls', () => {
    expect(only(kp108, snapshotOf(webhook('sidecar-injector'))).message).toBe(
      'MutatingWebhookConfiguration "sidecar-injector" is not in the reviewed list (calls tools/injector)',
    );
  });

  it('passes EKS-managed and approved webhooks', () => {
    expect(only(kp108, snapshotOf(webhook('pod-identity-webhook'))).status).toBe('pass');
    expect(
      only(kp108, snapshotOf(webhook('sidecar-injector')), { approvedWebhooks: ['sidecar-injector'] }).status,
    ).toBe('pass');
  });
});

describe('KP-109 deprecated API versions', () => {
  it('fails a removed apiVersion with its replacement', () => {
    const old = { ...structuredClone(INGRESS), apiVersion: 'extensions/v1beta1' };

    expect(only(kp109, snapshotOf(old)).message).toBe(
      'apiVersion is "extensions/v1beta1", removed in Kubernetes 1.22; use networking.k8s.io/v1',
    );
  });

  it('passes a served version and gives no result for kinds that never changed', () => {
    expect(only(kp109, snapshotOf(INGRESS)).status).toBe('pass');
    expect(evaluate(kp109, corpusSnapshot('m10.yaml'))).toEqual([]);
  });
});
