import { describe, expect, it } from 'vitest';
import { kp084 } from '#core/posture/checks/kp-084-image-tag.ts';
import { digestReason, kp092 } from '#core/posture/checks/kp-092-image-digest.ts';
import { corpusSnapshot, firstContainer, only, podSpec, variant } from '../support.ts';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

const withImage = (image: string) =>
  variant('m10.yaml', (pod) => {
    firstContainer(pod).image = image;
  });

describe('KP-092 images referenced by digest', () => {
  it('fails a version tag that KP-084 passes, naming the container, the image and the field', () => {
    const snapshot = withImage('nginx:1.27.3');

    expect(only(kp084, snapshot).status).toBe('pass');
    const result = only(kp092, snapshot);
    expect(result.status).toBe('fail');
    expect(result.severity).toBe('medium');
    expect(result.message).toBe(
      'spec.containers[0].image is "nginx:1.27.3" (container "nginx"; referenced by tag, not by digest: the tag can be moved to other content)',
    );
    expect(result.evidence).toEqual({ 'spec.containers[0].image': '"nginx:1.27.3"' });
  });

  it('fails an untagged corpus image and a latest tag', () => {
    expect(only(kp092, corpusSnapshot('m10.yaml')).message).toBe(
      'spec.containers[0].image is "nginx" (container "nginx"; referenced by tag, not by digest: the tag can be moved to other content)',
    );
    expect(only(kp092, corpusSnapshot('m26.yaml')).status).toBe('fail');
  });

  it('passes a digest, with or without a tag kept beside it', () => {
    expect(only(kp092, withImage(`nginx@${DIGEST}`)).message).toBe(
      'every image is referenced by a sha256 digest',
    );
    expect(
      only(kp092, withImage(`123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/web:1.4.2@${DIGEST}`)).status,
    ).toBe('pass');
  });

  it('fails a digest that is not sha256 with 64 hex digits', () => {
    expect(digestReason('nginx@sha256:abc')).toBe('the digest is not sha256:<64 hex digits>');
    expect(digestReason(`nginx@sha512:${'a'.repeat(128)}`)).toBe('the digest is not sha256:<64 hex digits>');
    expect(digestReason(`nginx@sha256:${'A'.repeat(64)}`)).toBe('the digest is not sha256:<64 hex digits>');
  });

  it('checks init and ephemeral containers too, and lists every unpinned one', () => {
    const snapshot = variant('m10.yaml', (pod) => {
      firstContainer(pod).image = `nginx@${DIGEST}`;
      podSpec(pod).initContainers = [{ name: 'migrate', image: 'ghcr.io/acme/migrate:2' }];
      podSpec(pod).ephemeralContainers = [{ name: 'debug', image: 'busybox:1.36' }];
    });

    const result = only(kp092, snapshot);
    expect(result.message).toBe(
      'spec.initContainers[0].image is "ghcr.io/acme/migrate:2" (container "migrate"; referenced by tag, not by digest: the tag can be moved to other content); spec.ephemeralContainers[0].image is "busybox:1.36" (container "debug"; referenced by tag, not by digest: the tag can be moved to other content)',
    );
    expect(Object.keys(result.evidence ?? {})).toEqual([
      'spec.initContainers[0].image',
      'spec.ephemeralContainers[0].image',
    ]);
  });

  it('reports like the other pod-spec checks: one result per workload, on the workload', () => {
    const kp084Results = kp084.evaluate(corpusSnapshot('m08.yaml', 'm16.yaml'));
    const kp092Results = kp092.evaluate(corpusSnapshot('m08.yaml', 'm16.yaml'));

    expect(kp092Results.map((r) => r.object)).toEqual(kp084Results.map((r) => r.object));
    expect(kp092Results.every((r) => r.file !== undefined)).toBe(true);
  });
});
