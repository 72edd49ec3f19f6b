import { parseManifests } from '#core/manifests/load.ts';
import type { KubeObject } from '#core/model/kube-object.ts';
import type { SecretIdentity } from '#core/secrets/writers.ts';
import { readFixtureText } from './fixtures.ts';

/** test/fixtures/kubernetes/secret-consumers/cluster.yaml as API objects (see its README). */
export function secretConsumerObjects(): KubeObject[] {
  const name = 'kubernetes/secret-consumers/cluster.yaml';
  const parsed = parseManifests(readFixtureText(name), name);
  if (parsed.errors.length > 0) throw new Error(`${name}: ${JSON.stringify(parsed.errors)}`);
  return parsed.objects.map(({ object }) => structuredClone(object) as KubeObject);
}

/** The secret of aws/secretsmanager-describe-secret-rotating.json, which the scenario consumes. */
export const SCENARIO_SECRET: SecretIdentity = {
  name: 'MyTestSecret',
  arn: 'arn:aws:secretsmanager:us-west-2:123456789012:secret:MyTestSecret-Ca8JGt',
  tags: { SecondTag: 'AnotherValue', FirstTag: 'SomeValue' },
};
