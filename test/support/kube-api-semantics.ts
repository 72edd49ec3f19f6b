/**
 * The request semantics of the in-memory Kubernetes API (cli/sandbox/kube-api/), for test helpers
 * that apply them without HTTP (test/support/in-memory-kube.ts): selectors, the three patch formats
 * and the failures the API server answers with.
 */
export { ApiFailure, isObject, type JsonObject } from '#cli/sandbox/kube-api/failure.ts';
export { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from '#cli/sandbox/kube-api/patches.ts';
export {
  type LabelPredicate,
  type ObjectPredicate,
  parseFieldSelector,
  parseLabelSelector,
} from '#cli/sandbox/kube-api/selectors.ts';
