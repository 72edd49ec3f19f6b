import type { EvidenceSources } from '../evidence-pack/model.ts';
import type { EvidencePackStore } from '../evidence-pack/ports.ts';

/**
 * What `/k8s evidence` and the monthly pack need (core/chatops/handlers/evidence.ts): where the
 * records come from, and the store that builds the pack into the evidence bucket as it writes it
 * (adapters/evidence/pack-store.ts).
 */
export interface EvidenceWorkerPorts {
  sources: EvidenceSources;
  store: EvidencePackStore;
}

/**
 * The input the `MonthlyEvidencePack` rule gives the action worker (infra/constructs/evidence-schedule.ts):
 * the worker runs runMonthlyEvidencePack (core/chatops/handlers/evidence.ts) instead of reading SQS records.
 */
export const MONTHLY_EVIDENCE_EVENT = Object.freeze({ kubeguard: 'monthly-evidence-pack' });

export function isMonthlyEvidenceEvent(event: unknown): boolean {
  return (event as { kubeguard?: unknown } | null)?.kubeguard === MONTHLY_EVIDENCE_EVENT.kubeguard;
}
