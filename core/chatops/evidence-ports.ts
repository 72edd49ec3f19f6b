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
