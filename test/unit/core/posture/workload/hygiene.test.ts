import { describe, expect, it } from 'vitest';
import { kp072 } from '#core/posture/checks/kp-072-read-only-root-filesystem.ts';
import { kp080 } from '#core/posture/checks/kp-080-secrets-in-env.ts';
import { credentialReason, kp081 } from '#core/posture/checks/kp-081-hardcoded-credentials.ts';
import { kp082 } from '#core/posture/checks/kp-082-resource-limits.ts';
import { kp083 } from '#core/posture/checks/kp-083-resource-requests.ts';
import { kp084 } from '#core/posture/checks/kp-084-image-tag.ts';
import { kp085 } from '#core/posture/checks/kp-085-image-pull-policy.ts';
import { kp086 } from '#core/posture/checks/kp-086-approved-registries.ts';
import { kp087 } from '#core/posture/checks/kp-087-probes.ts';
import { kp088 } from '#core/posture/checks/kp-088-naked-pod.ts';
import { kp089 } from '#core/posture/checks/kp-089-default-namespace.ts';
import { kp090 } from '#core/posture/checks/kp-090-ssh-sudo.ts';
import { kp091 } from '#core/posture/checks/kp-091-reliability.ts';
import { isApproved, parseImage } from '#core/posture/images.ts';
import { corpusSnapshot, evaluate, firstContainer, only, podSpec, snapshotOf, variant } from '../support.ts';

const withContainer = (fields: Record<string, unknown>) =>
  variant('m10.yaml', (pod) => {
    Object.assign(firstContainer(pod), fields);
  });

describe('KP-072 read-only root filesystem', () => {
  it('fails the container that does not set it, ignoring a pod-level field the API does not have', () => {
    expect(only(kp072, corpusSnapshot('m15.yaml')).message).toBe(
      'spec.containers[1].securityContext.readOnlyRootFilesystem is not set (container "container-b"; must be true)',
    );
  });

  it('passes when every container sets it', () => {
    expect(only(kp072, withContainer({ securityContext: { readOnlyRootFilesystem: true } })).status).toBe(
      'pass',
    );
  });
});

describe('KP-080 secrets in environment variables', () => {
  it('fails env[].valueFrom.secretKeyRef', () => {
    expect(only(kp080, corpusSnapshot('m25.yaml')).message).toBe(
      'spec.containers[0].env[0].valueFrom.secretKeyRef is {"key":"token","name":"a-secret"} (container "nginx", variable token)',
    );
  });

  it('fails envFrom[].secretRef', () => {
    expect(only(kp080, withContainer({ envFrom: [{ secretRef: { name: 'db' } }] })).status).toBe('fail');
  });

  it('passes a container without secret references', () => {
    expect(only(kp080, corpusSnapshot('m10.yaml')).status).toBe('pass');
  });
});

describe('KP-081 hard-coded credentials', () => {
  it('fails literal credentials without ever printing them', () => {
    const result = only(kp081, corpusSnapshot('m24.yaml'));

    expect(result.status).toBe('fail');
    expect(result.message).toContain('spec.containers[0].env[0].value is "<redacted, 6 characters>"');
    expect(result.message).toContain('"AWS_SECRET_ACCESS_KEY" names a credential');
    expect(JSON.stringify(result)).not.toContain('abc123');
  });

  it('passes a sensitive name that references a Secret', () => {
    expect(only(kp081, corpusSnapshot('m25.yaml')).status).toBe('pass');
  });

  it('fails a ConfigMap holding an AWS access key id', () => {
    const configMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'app', namespace: 'shop' },
      data: { 'settings.ini': 'region=us-east-1\naccess=AKIAIOSFODNN7EXAMPLE\n', LOG_LEVEL: 'info' },
    };

    const result = only(kp081, snapshotOf(configMap));

    expect(result.object).toEqual({ kind: 'ConfigMap', namespace: 'shop', name: 'app' });
    expect(result.message).toBe(
      'data["settings.ini"] is "<redacted, 45 characters>" (the value looks like an AWS access key or a private key)',
    );
  });

  it('does not flag references, placeholders and booleans', () => {
    expect(credentialReason('PASSWORD_FILE', '/run/secrets/db')).toBeUndefined();
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal shell-style placeholder is the input under test
    expect(credentialReason('DB_PASSWORD', '${DB_PASSWORD}')).toBeUndefined();
    expect(credentialReason('TOKENIZERS_PARALLELISM', 'false')).toBeUndefined();
    expect(credentialReason('BYPASS_CACHE', 'yes-please')).toBeUndefined();
    expect(credentialReason('DB_PASSWORD', 'hunter2')).toBe('"DB_PASSWORD" names a credential');
  });
});

describe('KP-082/083 resources', () => {
  it('fails missing limits and requests, naming each field', () => {
    expect(only(kp082, corpusSnapshot('m10.yaml')).message).toBe(
      'spec.containers[0].resources.limits.cpu is not set (container "nginx"); spec.containers[0].resources.limits.memory is not set (container "nginx")',
    );
    expect(only(kp083, corpusSnapshot('m10.yaml')).status).toBe('fail');
  });

  it('passes limits, and counts limits as requests (the API defaults requests to limits)', () => {
    const snapshot = withContainer({ resources: { limits: { cpu: '500m', memory: '256Mi' } } });

    expect(only(kp082, snapshot).status).toBe('pass');
    expect(only(kp083, snapshot).status).toBe('pass');
  });

  it('ignores ephemeral containers, which may not set resources', () => {
    const snapshot = variant('m10.yaml', (pod) => {
      firstContainer(pod).resources = { limits: { cpu: '1', memory: '1Gi' } };
      podSpec(pod).ephemeralContainers = [{ name: 'debug', image: 'busybox:1.36' }];
    });

    expect(only(kp082, snapshot).status).toBe('pass');
  });
});

describe('KP-084 image tag pinned', () => {
  it('fails latest and untagged images', () => {
    expect(only(kp084, corpusSnapshot('m26.yaml')).message).toBe(
      'spec.containers[0].image is "nginx:latest" (container "#0"; the "latest" tag moves)',
    );
    expect(only(kp084, corpusSnapshot('m10.yaml')).message).toContain('no tag');
  });

  it('passes a version tag or a digest', () => {
    expect(only(kp084, withContainer({ image: 'nginx:1.27.3' })).status).toBe('pass');
    expect(only(kp084, withContainer({ image: `nginx:latest@sha256:${'a'.repeat(64)}` })).status).toBe(
      'pass',
    );
  });

  it('does not mistake a registry port for a tag', () => {
    expect(parseImage('localhost:5000/team/app')).toEqual({
      registry: 'localhost:5000',
      repository: 'team/app',
    });
    expect(only(kp084, withContainer({ image: 'localhost:5000/team/app' })).status).toBe('fail');
  });
});

describe('KP-085 image pull policy', () => {
  it('fails a pinned image without a policy (defaults to IfNotPresent)', () => {
    expect(only(kp085, withContainer({ image: 'nginx:1.27' })).message).toBe(
      'spec.containers[0].imagePullPolicy is not set (container "nginx"; defaults to IfNotPresent for a pinned image)',
    );
  });

  it('fails an explicit IfNotPresent and passes Always', () => {
    expect(only(kp085, withContainer({ imagePullPolicy: 'IfNotPresent' })).status).toBe('fail');
    expect(only(kp085, withContainer({ image: 'nginx:1.27', imagePullPolicy: 'Always' })).status).toBe(
      'pass',
    );
  });

  it('passes an untagged image without a policy (the API defaults it to Always)', () => {
    expect(only(kp085, corpusSnapshot('m10.yaml')).status).toBe('pass');
  });
});

describe('KP-086 approved registries', () => {
  it('is skipped with its reason while no registry is configured', () => {
    const result = only(kp086, corpusSnapshot('m10.yaml'));

    expect(result.status).toBe('skip');
    expect(result.object).toEqual({ kind: 'Cluster', name: 'manifests' });
    expect(result.message).toContain('no approved registries configured');
  });

  it('passes images from an approved registry and fails others', () => {
    const ecr = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
    const options = { approvedRegistries: [ecr] };

    expect(only(kp086, withContainer({ image: `${ecr}/shop/web:1.4.2` }), options).status).toBe('pass');
    expect(only(kp086, corpusSnapshot('m10.yaml'), options).message).toBe(
      `spec.containers[0].image is "nginx" (container "nginx"; not from ${ecr})`,
    );
  });

  it('matches prefixes on path boundaries only', () => {
    expect(isApproved('ghcr.io/acme/api:1', ['ghcr.io/acme/'])).toBe(true);
    expect(isApproved('ghcr.io/acme-evil/api:1', ['ghcr.io/acme'])).toBe(false);
    expect(isApproved('registry.example.com.evil.io/app:1', ['registry.example.com'])).toBe(false);
    expect(isApproved('nginx:1.27', ['docker.io/library'])).toBe(true);
  });
});

describe('KP-087 probes', () => {
  it('fails a container without probes', () => {
    expect(only(kp087, corpusSnapshot('m10.yaml')).status).toBe('fail');
  });

  it('passes with liveness and readiness probes', () => {
    const probe = { httpGet: { path: '/healthz', port: 80 } };

    expect(only(kp087, withContainer({ livenessProbe: probe, readinessProbe: probe })).status).toBe('pass');
  });

  it('does not apply to Jobs', () => {
    const snapshot = variant('m14.yaml', (object) => {
      object.kind = 'Job';
      object.apiVersion = 'batch/v1';
    });

    expect(evaluate(kp087, snapshot)).toEqual([]);
  });
});

describe('KP-088 naked pods', () => {
  it('fails a Pod without a controller', () => {
    expect(only(kp088, corpusSnapshot('m10.yaml')).message).toBe(
      'metadata.ownerReferences is not set (no controller owns this Pod)',
    );
  });

  it('passes a Pod whose owner is not in the snapshot (audited on its own, but owned)', () => {
    const snapshot = variant('m10.yaml', (pod) => {
      (pod.metadata as Record<string, unknown>).ownerReferences = [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'nginx-7c5ddbdf54', uid: 'u1', controller: true },
      ];
    });

    expect(only(kp088, snapshot).status).toBe('pass');
  });
});

describe('KP-089 default namespace', () => {
  it('fails a workload without a namespace', () => {
    expect(only(kp089, corpusSnapshot('m10.yaml')).message).toContain('metadata.namespace is not set');
  });

  it('passes a workload in its own namespace', () => {
    const snapshot = variant('m10.yaml', (pod) => {
      (pod.metadata as Record<string, unknown>).namespace = 'shop';
    });

    expect(only(kp089, snapshot).status).toBe('pass');
  });

  it('ignores the kubernetes Service Kubernetes creates in default', () => {
    const service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kubernetes', namespace: 'default' },
      spec: { ports: [{ port: 443 }] },
    };

    expect(evaluate(kp089, snapshotOf(service))).toEqual([]);
  });
});

describe('KP-090 SSH and sudo', () => {
  it('fails an SSH port and a sudo command', () => {
    const snapshot = withContainer({
      ports: [{ containerPort: 22 }],
      command: ['sh', '-c', 'sudo -u app ./start'],
    });

    expect(only(kp090, snapshot).message).toBe(
      'spec.containers[0].ports[0].containerPort is 22 (container "nginx"; SSH port); spec.containers[0].command[2] is "sudo -u app ./start" (container "nginx" runs sudo)',
    );
  });

  it('passes a word that only contains "sudo"', () => {
    expect(only(kp090, withContainer({ args: ['--pseudo-tty'] })).status).toBe('pass');
  });
});

describe('KP-091 reliability', () => {
  it('fails a single-replica Deployment without PDB or spreading, listing each gap', () => {
    const result = only(kp091, corpusSnapshot('m14.yaml'));

    expect(Object.keys(result.evidence ?? {})).toEqual([
      'spec.replicas',
      'PodDisruptionBudget',
      'spec.template.spec.affinity.podAntiAffinity',
    ]);
  });

  it('passes with replicas, a matching PodDisruptionBudget and a topology spread', () => {
    const budget = {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'nginx' },
      spec: { minAvailable: 1, selector: { matchLabels: { app: 'nginx' } } },
    };
    const snapshot = variant(
      'm14.yaml',
      (deployment) => {
        const spec = deployment.spec as Record<string, unknown>;
        spec.replicas = 3;
        const template = spec.template as Record<string, unknown>;
        template.metadata = { labels: { app: 'nginx' } };
        (template.spec as Record<string, unknown>).topologySpreadConstraints = [
          { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule' },
        ];
      },
      [budget],
    );

    expect(only(kp091, snapshot).status).toBe('pass');
  });

  it('counts an HPA minReplicas instead of spec.replicas', () => {
    const autoscaler = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'nginx' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx' },
        minReplicas: 2,
        maxReplicas: 5,
      },
    };

    const result = only(
      kp091,
      variant('m14.yaml', () => {}, [autoscaler]),
    );

    expect(Object.keys(result.evidence ?? {})).not.toContain('spec.replicas');
  });
});
