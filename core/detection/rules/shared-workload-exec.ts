/**
 * Helpers for the exec / attach / port-forward rules (KD-020 … KD-026). These requests are upgraded
 * streams: the API server logs ResponseStarted with code 101, so the rules also run at that stage.
 */

import { joinSentence, literal, quoted, type Sentence, sentence } from '../../model/sentence.ts';
import {
  type AuditEvent,
  asString,
  isRequestOn,
  isSuccess,
  namespaceOf,
  objectName,
  queryParams,
  subresource,
} from '../audit-event.ts';
import type { RuleMatch } from '../rule.ts';
import { nameOrUnnamed } from './shared-workload-objects.ts';
import { actorOf } from './shared-workload-pod.ts';

const STREAM_VERBS = ['create', 'get'];

/** KD-020's condition: a successful (101/2xx) `create`/`get` on `pods/exec` or `pods/attach`. */
export function isSuccessfulExecOrAttach(event: AuditEvent): boolean {
  if (!isRequestOn(event, STREAM_VERBS, ['pods'])) return false;
  const sub = subresource(event);
  return (sub === 'exec' || sub === 'attach') && isSuccess(event);
}

/** True for `create`/`get` on `pods/portforward`, whatever the outcome (KD-026 has no success clause). */
export function isPortForward(event: AuditEvent): boolean {
  return isRequestOn(event, STREAM_VERBS, ['pods'], 'portforward');
}

/** The URL-decoded `command=` parameters of an exec request, in order (empty for attach). */
export function execCommand(event: AuditEvent): string[] {
  return subresource(event) === 'exec' ? queryParams(event, 'command') : [];
}

/** The command as one line, arguments separated by single spaces. */
export function commandLine(event: AuditEvent): string {
  return execCommand(event).join(' ');
}

/** `/bin/bash` → `bash`. */
export function programName(argument: string | undefined): string {
  if (argument === undefined) return '';
  const slash = argument.lastIndexOf('/');
  return slash === -1 ? argument : argument.slice(slash + 1);
}

/** True when the query string sets `name=true` (kubectl's stdin / tty flags). */
export function queryFlag(event: AuditEvent, name: string): boolean {
  return queryParams(event, name).includes('true');
}

function containerOf(event: AuditEvent): string | undefined {
  const container = queryParams(event, 'container')[0];
  return container === undefined || container === '' ? undefined : container;
}

/** "ran `cat /etc/shadow` in pod web (container app) in namespace prod" and variants. */
export function describeStream(event: AuditEvent): Sentence {
  const pod = nameOrUnnamed(objectName(event));
  const container = containerOf(event);
  const namespace = namespaceOf(event);
  const inContainer = container === undefined ? literal('') : sentence` (container ${container})`;
  const inNamespace = namespace === undefined ? literal('') : sentence` in namespace ${namespace}`;
  const where = sentence`pod ${pod}${inContainer}${inNamespace}`;
  const sub = subresource(event);
  if (sub === 'attach') return sentence`attached to ${where}`;
  if (sub === 'portforward') {
    const ports = queryParams(event, 'ports');
    const portList = ports.length === 0 ? literal('') : sentence` (ports ${joinSentence(ports, ', ')})`;
    return sentence`opened a port-forward to ${where}${portList}`;
  }
  const command = commandLine(event);
  // The command is the attacker's text above all: a value, in backticks in the plain summary only.
  return command === ''
    ? sentence`opened an exec session in ${where}`
    : sentence`ran ${quoted(command)} in ${where}`;
}

/** A RuleMatch with pod, namespace, container and the stream's evidence. */
export function streamMatch(
  event: AuditEvent,
  summaryTail: Sentence = literal(''),
  evidence: Record<string, string> = {},
): RuleMatch {
  const container = containerOf(event);
  const command = commandLine(event);
  const base: Record<string, string> = { subresource: subresource(event) };
  if (command !== '') base.command = command;
  if (container !== undefined) base.container = container;
  const stage = asString(event.stage);
  if (stage !== undefined) base.stage = stage;
  return {
    summary: sentence`${actorOf(event)} ${describeStream(event)}${summaryTail}.`,
    namespace: namespaceOf(event),
    pod: objectName(event),
    container,
    evidence: { ...base, ...evidence },
  };
}
