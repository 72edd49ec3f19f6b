/** Helpers for the secret rules (KD-030 … KD-036). */

import { literal, type Sentence, sentence } from '../../model/sentence.ts';
import { type AuditEvent, namespaceOf } from '../audit-event.ts';
import type { RuleMatch } from '../rule.ts';
import { inNamespace, pastTense, targetName } from './shared-workload-objects.ts';
import { actorOf } from './shared-workload-pod.ts';

export interface SecretMatchWording {
  /** What the caller did, e.g. "tried to read"; @default the verb in the past tense */
  action?: Sentence;
  /** Appended before the full stop, e.g. " (forbidden)". @default nothing */
  tail?: Sentence;
  evidence?: Record<string, string>;
}

/** "kubernetes-admin read secret db-password in namespace prod", with namespace and secretNames. */
export function secretMatch(event: AuditEvent, wording: SecretMatchWording = {}): RuleMatch {
  const name = targetName(event);
  const namespace = namespaceOf(event);
  const object = name === undefined ? literal('secrets') : sentence`secret ${name}`;
  // A collection request without a namespace (GET /api/v1/secrets) spans the whole cluster.
  const where =
    namespace === undefined && name === undefined
      ? literal(' across all namespaces')
      : inNamespace(namespace);
  const action = wording.action ?? pastTense(event.verb);
  const evidence = wording.evidence ?? {};
  return {
    summary: sentence`${actorOf(event)} ${action} ${object}${where}${wording.tail ?? literal('')}.`,
    namespace,
    secretNames: name === undefined ? undefined : [name],
    evidence: name === undefined ? evidence : { secret: name, ...evidence },
  };
}
