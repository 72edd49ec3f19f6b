import { describe, expect, it } from 'vitest';
import { kd001PrivilegedContainer as rule } from '../../../../../core/detection/rules/kd-001-privileged-container.ts';
import {
  configWith,
  corpusEvent,
  DENIED_BY_POD_SECURITY,
  detect,
  exampleOf,
  fixtureEvent,
  variant,
} from './rule-test-support.ts';

const FIXTURE = 'eks-audit-privileged-pod-create.json';
const privilegedPod = () => fixtureEvent(FIXTURE);

/** The fixture's pod spec with other containers, everything else unchanged. */
function withSpec(spec: Record<string, unknown>) {
  return variant(privilegedPod(), { requestObject: { spec } });
}

describe('KD-001 privileged container', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-001');
  });

  it('flags a privileged pod created by a person, naming the pod, its workload, container and image', () => {
    const detection = detect(rule, privilegedPod());

    expect(detection).toMatchObject({
      ruleId: 'KD-001',
      severity: 'high',
      principal: 'kubernetes-admin',
      namespace: 'default',
      pod: 'nginx-deployment-5cdcc99dbf-rgw6z',
      workload: 'replicaset/nginx-deployment-5cdcc99dbf',
      container: 'nginx',
      image: 'nginx',
    });
    expect(detection?.summary).toBe(
      'kubernetes-admin created pod nginx-deployment-5cdcc99dbf-rgw6z (replicaset/nginx-deployment-5cdcc99dbf) in namespace default with privileged container nginx (image nginx).',
    );
    expect(detection?.evidence.privilegedContainers).toBe('nginx=nginx');
  });

  it('flags pods that a controller creates on behalf of a user (v1beta1 event)', () => {
    const detection = detect(rule, corpusEvent(23));

    expect(detection?.principal).toBe('system:serviceaccount:kube-system:replicaset-controller');
  });

  it('names the privileged container when another container is explicitly unprivileged', () => {
    const detection = detect(rule, corpusEvent(24));

    expect(detection).toMatchObject({ container: 'mysql', image: 'mysql:latest' });
  });

  it('flags a privileged init container', () => {
    const event = withSpec({
      containers: [{ name: 'nginx', image: 'nginx' }],
      initContainers: [{ name: 'setup', image: 'busybox:1.36', securityContext: { privileged: true } }],
    });

    expect(detect(rule, event)?.summary).toContain('privileged initContainer setup (image busybox:1.36)');
  });

  it('ignores a pod whose containers are not privileged', () => {
    expect(detect(rule, corpusEvent(27))).toBeUndefined();
    expect(
      detect(
        rule,
        withSpec({ containers: [{ name: 'nginx', image: 'nginx', securityContext: { privileged: false } }] }),
      ),
    ).toBeUndefined();
  });

  it('ignores the same request when Pod Security admission rejected it (403 with decision allow)', () => {
    expect(detect(rule, variant(privilegedPod(), DENIED_BY_POD_SECURITY))).toBeUndefined();
  });

  it('ignores the same request when it failed validation (422)', () => {
    expect(
      detect(rule, variant(privilegedPod(), { responseStatus: { code: 422, reason: 'Invalid' } })),
    ).toBeUndefined();
  });

  it('falls back to the authorization decision when the response status is missing', () => {
    const allowed = variant(privilegedPod(), { responseStatus: undefined });
    const forbidden = variant(allowed, { annotations: { 'authorization.k8s.io/decision': 'forbid' } });

    expect(detect(rule, allowed)?.ruleId).toBe('KD-001');
    expect(detect(rule, forbidden)).toBeUndefined();
  });

  it('evaluates an event without stage as ResponseComplete, and ignores the ResponseStarted line', () => {
    expect(detect(rule, variant(privilegedPod(), { stage: undefined }))?.ruleId).toBe('KD-001');
    expect(detect(rule, variant(privilegedPod(), { stage: 'ResponseStarted' }))).toBeUndefined();
  });

  it('ignores an allow-listed image written with registry host and tag', () => {
    const falco = withSpec({
      containers: [
        {
          name: 'falco',
          image: 'docker.io/falcosecurity/falco:0.39.2',
          securityContext: { privileged: true },
        },
      ],
    });
    const kubeProxy = withSpec({
      containers: [
        {
          name: 'kube-proxy',
          image: '602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/kube-proxy:v1.29.0-minimal-eksbuild.1',
          securityContext: { privileged: true },
        },
      ],
    });

    expect(detect(rule, falco)).toBeUndefined();
    expect(detect(rule, kubeProxy)).toBeUndefined();
  });

  it('still flags a privileged container whose image is not allow-listed next to one that is', () => {
    const event = withSpec({
      containers: [
        { name: 'falco', image: 'falcosecurity/falco:0.39', securityContext: { privileged: true } },
        { name: 'miner', image: 'xmrig/xmrig', securityContext: { privileged: true } },
      ],
    });

    expect(detect(rule, event)?.container).toBe('miner');
  });

  it('uses the configured allow-list instead of the default', () => {
    const config = configWith({ imageAllowLists: { 'KD-001': ['nginx'] } });

    expect(detect(rule, privilegedPod(), config)).toBeUndefined();
  });

  it('leaves privileged ephemeral containers added through the subresource to KD-014', () => {
    const event = variant(privilegedPod(), {
      verb: 'patch',
      objectRef: { subresource: 'ephemeralcontainers', name: 'nginx-deployment-5cdcc99dbf-rgw6z' },
      requestObject: {
        spec: {
          ephemeralContainers: [
            { name: 'debugger', image: 'busybox', securityContext: { privileged: true } },
          ],
        },
      },
    });

    expect(detect(rule, event)).toBeUndefined();
  });

  it('takes the generateName prefix as the pod name when the response carries no name', () => {
    const event = variant(privilegedPod(), { responseObject: undefined });

    expect(detect(rule, event)?.pod).toBe('nginx-deployment-5cdcc99dbf-');
    expect(detect(rule, event)?.summary).toContain('pod nginx-deployment-5cdcc99dbf-* (replicaset/');
  });

  it('does not throw on mistyped pod fields', () => {
    const event = withSpec({
      containers: 'nginx',
      initContainers: [null, 7, { securityContext: 'privileged' }],
    });

    expect(detect(rule, event)).toBeUndefined();
  });
});
