import { KubeguardError } from '../../errors.ts';
import type { StoredFinding } from '../../findings/stored-finding.ts';
import type { KubeReader } from '../../remediation/ports.ts';
import { externalSecretDefinitions, remoteKeys, targetSecretName } from '../../secrets/external-secrets.ts';

/**
 * Which Secrets Manager secret a finding's Rotate secret button rotates. A finding names the secrets
 * involved (`detection.secretNames`): a Secrets Manager ARN is taken as it is; a Kubernetes Secret
 * (`namespace/name`) is traced to the Secrets Manager secret its ExternalSecret fetches. Only one
 * answer is acted on: none or several are refused with the ids to use in `/k8s rotate`.
 */

const SECRETS_MANAGER_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;

export async function secretOfFinding(finding: StoredFinding, kube: KubeReader): Promise<string> {
  const names = finding.detection.secretNames ?? [];
  const arns = names.filter((name) => SECRETS_MANAGER_ARN.test(name));
  if (arns.length === 1 && arns[0] !== undefined) return arns[0];
  const fetched = new Set<string>(arns);
  const kubernetes = names.filter((name) => !SECRETS_MANAGER_ARN.test(name));
  for (const name of kubernetes) {
    const [namespace, secret] = name.includes('/') ? name.split('/', 2) : [finding.detection.namespace, name];
    if (namespace === undefined || secret === undefined) continue;
    for (const id of await fetchedBy(kube, namespace, secret)) fetched.add(id);
  }
  const ids = [...fetched];
  if (ids.length === 1 && ids[0] !== undefined) return ids[0];
  const named = names.slice(0, 5).join(', ') || 'none';
  if (ids.length === 0) {
    throw new KubeguardError(
      'PRECONDITION_FAILED',
      `the finding names the secrets ${named}, and no ExternalSecret fetches them from Secrets Manager, so kubeguard cannot tell which secret to rotate: use /k8s rotate SECRET_ID`,
    );
  }
  throw new KubeguardError(
    'INVALID_ARGUMENT',
    `the finding's secrets come from several Secrets Manager secrets (${ids.slice(0, 5).join(', ')}): rotate each with /k8s rotate SECRET_ID`,
  );
}

/** The Secrets Manager ids the ExternalSecrets writing `namespace/secret` fetch. */
async function fetchedBy(kube: KubeReader, namespace: string, secret: string): Promise<string[]> {
  let objects: Awaited<ReturnType<KubeReader['list']>>;
  try {
    objects = await kube.list({ kind: 'ExternalSecret', namespace });
  } catch (error) {
    // External Secrets Operator not installed: nothing fetches the secret.
    if (error instanceof KubeguardError && error.code === 'NOT_FOUND') return [];
    throw error;
  }
  const { definitions } = externalSecretDefinitions(objects);
  return definitions
    .filter((definition) => targetSecretName(definition) === secret)
    .flatMap((definition) => remoteKeys(definition).map((entry) => entry.key))
    .filter((key): key is string => typeof key === 'string' && key !== '');
}
