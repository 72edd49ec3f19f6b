import { describe, expect, it } from 'vitest';
import { kd013DeploymentPatched as rule } from '../../../../../core/detection/rules/kd-013-deployment-patched.ts';
import { corpusEvent, detect, exampleOf, variant } from './rule-test-support.ts';

/** Corpus line 18 (falco create_deployment, apps/v1 today) turned into the patch that injects a sidecar. */
const sidecarPatch = () =>
  variant(corpusEvent(18), {
    verb: 'patch',
    requestURI: '/apis/apps/v1/namespaces/default/deployments/nginx-deployment',
    objectRef: { name: 'nginx-deployment', apiGroup: 'apps', apiVersion: 'v1' },
    responseStatus: { code: 200 },
    requestObject: {
      spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'busybox:1.36' }] } } },
    },
    responseObject: undefined,
  });

describe('KD-013 possible sidecar injection', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-013');
  });

  it('flags a person patching a Deployment and reports the containers in the patch', () => {
    const detection = detect(rule, sidecarPatch());

    expect(detection).toMatchObject({
      severity: 'low',
      workload: 'deployment/nginx-deployment',
      container: 'sidecar',
    });
    expect(detection?.evidence.patchedContainers).toBe('sidecar=busybox:1.36');
  });

  it('ignores creating a Deployment', () => {
    expect(detect(rule, corpusEvent(18))).toBeUndefined();
  });

  it('ignores system principals (the deployment controller, EKS add-on manager)', () => {
    expect(
      detect(rule, variant(sidecarPatch(), { user: { username: 'eks:addon-manager' } })),
    ).toBeUndefined();
  });

  it('ignores a ResponseStarted line (judged on ResponseComplete)', () => {
    expect(detect(rule, variant(sidecarPatch(), { stage: 'ResponseStarted' }))).toBeUndefined();
  });
});
