import { readAwsAuthYaml, UnreadableYaml } from './aws-auth-yaml.ts';

/**
 * The identity mappings of EKS's kube-system/aws-auth ConfigMap: `data.mapRoles` and `data.mapUsers`
 * hold YAML lists of `{rolearn | userarn, username, groups}`. Read by the KD-051 detection (which ARNs
 * a change maps to system:masters) and the KP-013 posture check, with one reader (aws-auth-yaml.ts).
 */
export interface AwsAuthMapping {
  /** `mapRoles[0]`, `mapUsers[2]` … */
  path: string;
  /** The entry's `rolearn` (mapRoles) or `userarn` (mapUsers); `(no ARN)` when it has none. */
  arn: string;
  username?: string;
  groups: string[];
}

export interface AwsAuthMappings {
  mappings: AwsAuthMapping[];
  /** Keys whose YAML could not be read, with why (invalid YAML, or YAML outside what is read). */
  errors: { key: 'mapRoles' | 'mapUsers'; message: string }[];
}

const KEYS = [
  ['mapRoles', 'rolearn'],
  ['mapUsers', 'userarn'],
] as const;

/** The mappings of an aws-auth ConfigMap's `data` (anything else reads as no mappings). */
export function readAwsAuthMappings(data: unknown): AwsAuthMappings {
  const result: AwsAuthMappings = { mappings: [], errors: [] };
  if (!isRecord(data)) return result;
  for (const [key, arnField] of KEYS) {
    const text = data[key];
    if (typeof text !== 'string' || text.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = readAwsAuthYaml(text);
    } catch (error) {
      if (!(error instanceof UnreadableYaml)) throw error;
      result.errors.push({ key, message: error.message });
      continue;
    }
    (Array.isArray(parsed) ? parsed : []).forEach((item, index) => {
      const entry = isRecord(item) ? item : {};
      const arn = entry[arnField];
      const mapping: AwsAuthMapping = {
        path: `${key}[${index}]`,
        arn: typeof arn === 'string' ? arn : '(no ARN)',
        groups: Array.isArray(entry.groups)
          ? entry.groups.filter((group): group is string => typeof group === 'string')
          : [],
      };
      if (typeof entry.username === 'string') mapping.username = entry.username;
      result.mappings.push(mapping);
    });
  }
  return result;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
