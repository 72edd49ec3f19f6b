import type { CheckMetadata, CheckResult } from '../check.ts';
import { dig, type Json, record } from '../pod-templates.ts';
import { makeResult, show, skipResult } from '../results.ts';
import type { ClusterSnapshot } from '../snapshot.ts';
import type { Outcome } from './aws-support.ts';

/**
 * Kubelet configuration per node, as `GET /api/v1/nodes/<node>/proxy/configz` returns it:
 * `{"kubeletconfig": {...}}` (a bare KubeletConfiguration is accepted too). configz reports the
 * effective configuration, but fields equal to their zero value may be omitted (`omitempty`).
 */
export function kubeletConfig(raw: unknown): Json {
  const outer = record(raw) ?? {};
  return record(outer.kubeletconfig) ?? outer;
}

export function field(config: Json, path: string): unknown {
  return dig(config, ...path.split('.'));
}

/** `kubeletconfig.<path>` → value, for evidence. */
export function evidenceOf(config: Json, ...paths: string[]): Record<string, string> {
  return Object.fromEntries(paths.map((path) => [`kubeletconfig.${path}`, show(field(config, path))]));
}

/** One result per node whose kubelet configuration was read. */
export function evaluateKubelets(
  check: CheckMetadata,
  snapshot: ClusterSnapshot,
  inspect: (config: Json) => Outcome,
): CheckResult[] {
  const configs = snapshot.kubeletConfigs;
  if (configs === undefined) return [skipResult(check, snapshot, 'kubelet configuration was not collected')];
  return Object.entries(configs).map(([node, raw]) => {
    const outcome = inspect(kubeletConfig(raw));
    return makeResult(
      check,
      outcome.pass ? 'pass' : 'fail',
      { ref: { kind: 'Node', name: node } },
      outcome.message,
      outcome.evidence,
    );
  });
}

/** A Go duration (`4h0m0s`, `5m`, `0s`) or a number of seconds, in seconds; undefined if unreadable. */
export function durationSeconds(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001, us: 1e-6, µs: 1e-6, ns: 1e-9 };
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== value) return undefined;
  return parts.reduce((total, part) => total + Number(part[1]) * (units[part[2] ?? 's'] ?? 0), 0);
}
