import type { Json } from '../pod-templates.ts';
import type { Subject } from '../results.ts';

/** Secrets Manager DescribeSecret responses (PascalCase members). */
export const SECRET_KIND = 'SecretsManagerSecret';

export function secretSubject(secret: Json): Subject {
  const name = typeof secret.Name === 'string' ? secret.Name : String(secret.ARN ?? '(unnamed secret)');
  return { ref: { kind: SECRET_KIND, name } };
}
