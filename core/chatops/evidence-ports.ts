import type { EvidencePack, EvidencePackRequest, EvidenceSources } from '../evidence-pack/model.ts';
import type { EvidencePackStore } from '../evidence-pack/ports.ts';

/**
 * What `/k8s evidence` and the monthly pack need (core/chatops/handlers/evidence.ts): where the
 * records come from, the builder (core/evidence-pack/build.ts), the archive writer
 * (adapters/evidence/pack-archive.ts) and the store (the evidence bucket; adapters/evidence/pack-store.ts).
 */
export interface EvidenceWorkerPorts {
  sources: EvidenceSources;
  build(request: EvidencePackRequest, sources: EvidenceSources): Promise<EvidencePack>;
  archive(pack: EvidencePack): Uint8Array;
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
