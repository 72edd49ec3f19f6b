import type { StoredFinding } from '../findings/stored-finding.ts';
import { SEVERITIES } from '../model/severity.ts';

/**
 * Delivery order: 0 for a critical finding … 3 for a low one. The store keeps pending findings under
 * one index partition per rank (`PENDING#0` … `PENDING#3`) and the delivery function drains them in
 * rank order, so a storm of low findings never holds back a critical one.
 */
export const DELIVERY_RANKS = SEVERITIES.length;

export function deliveryRank(finding: Pick<StoredFinding, 'detection'>): number {
  return SEVERITIES.length - 1 - SEVERITIES.indexOf(finding.detection.severity);
}
