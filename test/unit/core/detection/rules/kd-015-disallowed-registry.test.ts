import { describe, expect, it } from 'vitest';
import {
  fullyQualifiedImage,
  kd015DisallowedRegistry as rule,
} from '../../../../../core/detection/rules/kd-015-disallowed-registry.ts';
import { configWith, detect, exampleOf, fixtureEvent, variant } from './rule-test-support.ts';

const ECR = '111122223333.dkr.ecr.eu-west-1.amazonaws.com';
const config = configWith({ allowedRegistries: [`${ECR}/`, 'public.ecr.aws/eks-distro/'] });

/** The privileged-pod fixture with the given container images. */
function podWith(...images: string[]) {
  return variant(fixtureEvent('eks-audit-privileged-pod-create.json'), {
    requestObject: { spec: { containers: images.map((image, i) => ({ name: `c${i}`, image })) } },
  });
}

describe('KD-015 pod with image outside allowed registries', () => {
  it('flags its example once allowed registries are configured', () => {
    expect(detect(rule, exampleOf(rule), config)?.ruleId).toBe('KD-015');
  });

  it('is inactive without configured registries', () => {
    expect(detect(rule, exampleOf(rule))).toBeUndefined();
    expect(detect(rule, exampleOf(rule), configWith({ allowedRegistries: [] }))).toBeUndefined();
  });

  it('flags a Docker Hub image next to an allowed one, naming it', () => {
    const detection = detect(rule, podWith(`${ECR}/web:1.4`, 'nginx'), config);

    expect(detection).toMatchObject({ container: 'c1', image: 'nginx', severity: 'medium' });
    expect(detection?.evidence.images).toBe('nginx');
  });

  it('ignores pods whose images all come from allowed registries', () => {
    expect(
      detect(rule, podWith(`${ECR}/web:1.4`, 'public.ecr.aws/eks-distro/kubernetes/pause:3.9'), config),
    ).toBeUndefined();
  });

  it('does not let a look-alike host pass a prefix without a trailing slash', () => {
    const hostOnly = configWith({ allowedRegistries: [ECR] });

    expect(detect(rule, podWith(`${ECR}/web:1.4`), hostOnly)).toBeUndefined();
    expect(detect(rule, podWith(`${ECR}.attacker.example/web:1.4`), hostOnly)?.ruleId).toBe('KD-015');
  });

  it('compares Docker Hub short names in their full form', () => {
    const dockerHubLibrary = configWith({ allowedRegistries: ['docker.io/library/'] });

    expect(fullyQualifiedImage('nginx')).toBe('docker.io/library/nginx');
    expect(fullyQualifiedImage('bitnami/redis:7')).toBe('docker.io/bitnami/redis:7');
    expect(detect(rule, podWith('nginx:1.27'), dockerHubLibrary)).toBeUndefined();
    expect(detect(rule, podWith('bitnami/redis:7'), dockerHubLibrary)?.ruleId).toBe('KD-015');
  });

  it('ignores requests that are not pod creates', () => {
    expect(detect(rule, variant(podWith('nginx'), { verb: 'update' }), config)).toBeUndefined();
  });
});
