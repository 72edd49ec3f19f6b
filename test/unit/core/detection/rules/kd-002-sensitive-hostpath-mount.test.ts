import { describe, expect, it } from 'vitest';
import {
  kd002SensitiveHostPathMount as rule,
  SENSITIVE_HOST_PATHS,
} from '../../../../../core/detection/rules/kd-002-sensitive-hostpath-mount.ts';
import { corpusEvent, DENIED_BY_POD_SECURITY, detect, exampleOf, variant } from './rule-test-support.ts';

/** Corpus line 25 (falco create_nginx_pod_sensitive_mount): a Deployment pod mounting the node's /etc. */
const etcMount = () => corpusEvent(25);

function mounting(path: string, image = 'nginx') {
  return variant(etcMount(), {
    requestObject: {
      spec: {
        volumes: [{ name: 'host', hostPath: { path, type: '' } }],
        containers: [{ name: 'app', image, volumeMounts: [{ name: 'host', mountPath: '/host' }] }],
      },
    },
  });
}

describe('KD-002 sensitive hostPath mount', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-002');
  });

  it('flags a pod mounting /etc, naming the path and the container that mounts it', () => {
    const detection = detect(rule, etcMount());

    expect(detection).toMatchObject({
      severity: 'high',
      namespace: 'default',
      container: 'nginx',
      image: 'nginx',
    });
    expect(detection?.evidence.hostPath).toBe('/etc');
    expect(detection?.workload).toBe('replicaset/nginx-deployment-7d5b5dd9cf');
  });

  it.each(SENSITIVE_HOST_PATHS)('flags %s', (path) => {
    expect(detect(rule, mounting(path))?.evidence.hostPath).toBe(path);
  });

  it('flags the trailing-slash variant of a listed path', () => {
    expect(detect(rule, mounting('/var/run/docker.sock/'))?.ruleId).toBe('KD-002');
    expect(detect(rule, mounting('/etc/kubernetes/'))?.ruleId).toBe('KD-002');
  });

  it('flags spellings of a listed path that name the same directory', () => {
    expect(detect(rule, mounting('//etc'))?.ruleId).toBe('KD-002');
    expect(detect(rule, mounting('/var/lib/./kubelet'))?.ruleId).toBe('KD-002');
  });

  it('ignores paths below or beside the listed ones', () => {
    expect(detect(rule, mounting('/etc/ssl/certs'))).toBeUndefined();
    expect(detect(rule, mounting('/var/log/pods'))).toBeUndefined();
    expect(detect(rule, mounting('/var/lib/cni'))).toBeUndefined();
    expect(detect(rule, mounting('/etcd'))).toBeUndefined();
  });

  it('ignores a pod whose images are all in the sensitive-mount allow-list (registry host and tag ignored)', () => {
    expect(
      detect(rule, mounting('/var/run/docker.sock', 'public.ecr.aws/datadog/agent:7.52.0')),
    ).toBeUndefined();
    expect(detect(rule, mounting('/var', 'docker.io/amazon/aws-for-fluent-bit:2.32.0'))).toBeUndefined();
  });

  it('ignores the same request when it was denied', () => {
    expect(detect(rule, variant(etcMount(), DENIED_BY_POD_SECURITY))).toBeUndefined();
  });

  it('ignores a pod without hostPath volumes', () => {
    expect(detect(rule, corpusEvent(27))).toBeUndefined();
  });
});
