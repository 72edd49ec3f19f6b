import { parseManifests } from '#core/manifests/load.ts';
import type { ListedObject, SecretIdentity } from '#core/remediation/secret-consumers.ts';
import { readFixtureText } from './fixtures.ts';

/** test/fixtures/kubernetes/secret-consumers/cluster.yaml as API objects (see its README). */
export function secretConsumerObjects(): ListedObject[] {
  const name = 'kubernetes/secret-consumers/cluster.yaml';
  const parsed = parseManifests(readFixtureText(name), name);
  if (parsed.errors.length > 0) throw new Error(`${name}: ${JSON.stringify(parsed.errors)}`);
  return parsed.objects.map(({ object }) => structuredClone(object) as ListedObject);
}

/** The secret of aws/secretsmanager-describe-secret-rotating.json, which the scenario consumes. */
export const SCENARIO_SECRET: SecretIdentity = {
  name: 'MyTestSecret',
  arn: 'arn:aws:secretsmanager:us-west-2:123456789012:secret:MyTestSecret-Ca8JGt',
  tags: { SecondTag: 'AnotherValue', FirstTag: 'SomeValue' },
};
