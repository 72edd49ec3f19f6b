import type { CheckResult, PostureCheck } from '../check.ts';
import { containersOf, list, type PodTemplate, podTemplates, record } from '../pod-templates.ts';
import { makeResult, subjectOf } from '../results.ts';
import type { ClusterSnapshot } from '../snapshot.ts';
import { objectsOfKind } from '../snapshot-index.ts';
import { evidenceOf, failMessage, type Violation, violation } from '../template-check.ts';

/** Names that say "this is a credential" (password, api_key, AWS_SECRET_ACCESS_KEY, client-secret, …). */
const SENSITIVE_NAME =
  /passw(or)?d|passphrase|pwd|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|credential/i;
/** Names that hold a reference to a credential rather than the credential (PASSWORD_FILE, TOKEN_URL, …). */
const REFERENCE_NAME = /[-_.](file|path|dir|name|url|uri|endpoint|ref|id|type|enabled|length|expiry|ttl)$/i;
/** Values that are credentials whatever their name: AWS access keys, PEM private keys. */
const SECRET_VALUE = /\b(AKIA|ASIA)[0-9A-Z]{16}\b|-----BEGIN ([A-Z ]+ )?PRIVATE KEY-----/;
/** Template placeholders and booleans are not credentials. */
const NOT_A_CREDENTIAL = /^(\$\{.*\}|\{\{.*\}\}|<.*>|\$\(.*\)|true|false|yes|no|none|null|changeme)?$/i;

/** Why a literal name/value pair looks like a hard-coded credential, or undefined. */
export function credentialReason(name: string, value: string): string | undefined {
  if (SECRET_VALUE.test(value)) return 'the value looks like an AWS access key or a private key';
  if (NOT_A_CREDENTIAL.test(value.trim())) return undefined;
  if (SENSITIVE_NAME.test(name) && !REFERENCE_NAME.test(name)) return `"${name}" names a credential`;
  return undefined;
}

/** The value is never shown: only its length. */
function redacted(value: string): string {
  return `<redacted, ${value.length} characters>`;
}

function workloadViolations(template: PodTemplate): Violation[] {
  const violations: Violation[] = [];
  for (const { container, path, name } of containersOf(template)) {
    // env[].value is a literal written in the manifest; env[].valueFrom is a reference and never flagged.
    list(container.env).forEach((item, index) => {
      const variable = record(item);
      const value = variable?.value;
      if (typeof value !== 'string' || typeof variable?.name !== 'string') return;
      const reason = credentialReason(variable.name, value);
      if (reason !== undefined) {
        violations.push(
          violation(`${path}.env[${index}].value`, redacted(value), `container "${name}"; ${reason}`),
        );
      }
    });
  }
  return violations;
}

function configMapViolations(configMap: Record<string, unknown>): Violation[] {
  const violations: Violation[] = [];
  for (const [key, value] of Object.entries(record(configMap.data) ?? {})) {
    if (typeof value !== 'string') continue;
    const reason = credentialReason(key, value);
    if (reason !== undefined) violations.push(violation(`data["${key}"]`, redacted(value), reason));
  }
  return violations;
}

export const kp081: PostureCheck = {
  id: 'KP-081',
  title: 'No hard-coded credentials in env or ConfigMaps',
  severity: 'high',
  category: 'workload',
  core: false,
  cis: [],
  reads: ['pods', 'workloads', 'configmaps'],
  remediation:
    'Move the credential into a Secret (or AWS Secrets Manager), reference it with a mounted volume, and rotate the exposed value.',
  evaluate(snapshot: ClusterSnapshot): CheckResult[] {
    const results: CheckResult[] = [];
    for (const template of podTemplates(snapshot)) {
      const subject = template.subject;
      results.push(
        outcome(workloadViolations(template), subject, 'no environment variable holds a literal credential'),
      );
    }
    for (const configMap of objectsOfKind(snapshot, 'ConfigMap')) {
      results.push(
        outcome(
          configMapViolations(configMap),
          subjectOf(snapshot, configMap),
          'no ConfigMap key holds a literal credential',
        ),
      );
    }
    return results;
  },
};

function outcome(
  violations: Violation[],
  subject: Parameters<typeof makeResult>[2],
  passMessage: string,
): CheckResult {
  return violations.length === 0
    ? makeResult(kp081, 'pass', subject, passMessage)
    : makeResult(kp081, 'fail', subject, failMessage(violations), evidenceOf(violations));
}
