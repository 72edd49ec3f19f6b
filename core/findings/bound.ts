import type { Detection } from '../model/detection.ts';
import { boundParts } from '../model/sentence.ts';

/**
 * Attacker-controlled strings can be megabytes long. Before a detection is stored (DynamoDB items
 * are limited to 400 KB) or rendered, every string is capped; the cap keeps far more than any
 * Slack text can show, so nothing a responder needs is lost.
 */
export const MAX_FIELD_LENGTH = 2048;
const MAX_LIST_ITEMS = 20;
const MAX_EVIDENCE_ENTRIES = 30;

function cap(value: string): string;
function cap(value: string | undefined): string | undefined;
function cap(value: string | undefined): string | undefined {
  if (value === undefined || value.length <= MAX_FIELD_LENGTH) return value;
  return `${value.slice(0, MAX_FIELD_LENGTH - 1)}…`;
}

function capList(values: readonly string[]): string[] {
  return values.slice(0, MAX_LIST_ITEMS).map((v) => cap(v));
}

export function boundDetection(detection: Detection): Detection {
  const evidence: Record<string, string> = {};
  for (const [key, value] of Object.entries(detection.evidence).slice(0, MAX_EVIDENCE_ENTRIES)) {
    evidence[cap(key)] = cap(String(value));
  }
  const bounded: Detection = {
    ...detection,
    ruleId: cap(detection.ruleId),
    findingType: cap(detection.findingType),
    title: cap(detection.title),
    summary: cap(detection.summary),
    cluster: cap(detection.cluster),
    namespace: cap(detection.namespace),
    workload: cap(detection.workload),
    pod: cap(detection.pod),
    container: cap(detection.container),
    image: cap(detection.image),
    node: cap(detection.node),
    principal: cap(detection.principal),
    sourceIps: capList(detection.sourceIps),
    userAgent: cap(detection.userAgent),
    evidence,
    eventId: cap(detection.eventId),
    mitre: capList(detection.mitre),
  };
  if (detection.secretNames) bounded.secretNames = capList(detection.secretNames);
  if (detection.summaryParts) bounded.summaryParts = boundParts(detection.summaryParts, MAX_FIELD_LENGTH);
  if (detection.process) {
    bounded.process = {
      ...detection.process,
      name: cap(detection.process.name),
      executablePath: cap(detection.process.executablePath),
      commandLine: cap(detection.process.commandLine),
      user: cap(detection.process.user),
    };
  }
  return bounded;
}
