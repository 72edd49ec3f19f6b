import type { CheckResult, PostureCheck } from '../check.ts';
import { networkIndex } from '../network-index.ts';
import { dig, list, record } from '../pod-templates.ts';
import { makeResult, subjectOf } from '../results.ts';
import { mapSelectorOf } from '../selectors.ts';
import type { ClusterSnapshot, KubeObject } from '../snapshot.ts';
import { namespaceOf, objectsOfKind } from '../snapshot-index.ts';

/** Service names an Ingress sends traffic to (networking.k8s.io/v1 and the older serviceName form). */
export function ingressBackends(ingress: KubeObject): { path: string; service: string }[] {
  const backends: { path: string; service: string }[] = [];
  const add = (backend: unknown, path: string) => {
    const name = dig(backend, 'service', 'name') ?? dig(backend, 'serviceName');
    if (typeof name === 'string') backends.push({ path, service: name });
  };
  add(dig(ingress, 'spec', 'defaultBackend'), 'spec.defaultBackend');
  add(dig(ingress, 'spec', 'backend'), 'spec.backend');
  list(dig(ingress, 'spec', 'rules')).forEach((rule, r) => {
    list(dig(rule, 'http', 'paths')).forEach((path, p) => {
      add(record(path)?.backend, `spec.rules[${r}].http.paths[${p}].backend`);
    });
  });
  return backends;
}

export const kp106: PostureCheck = {
  id: 'KP-106',
  title: 'Service targets a pod; Ingress targets a Service',
  severity: 'low',
  category: 'network',
  core: false,
  cis: [],
  reads: ['services', 'ingresses', 'pods', 'workloads'],
  remediation:
    'Fix the Service spec.selector to match the pod labels, or the Ingress backend to name an existing Service.',
  evaluate(snapshot: ClusterSnapshot): CheckResult[] {
    const { podLabels } = networkIndex(snapshot);
    const results: CheckResult[] = [];
    const services = new Set<string>();
    for (const service of objectsOfKind(snapshot, 'Service')) {
      services.add(`${namespaceOf(service)}/${service.metadata.name}`);
      const matches = mapSelectorOf(dig(service, 'spec', 'selector'));
      // A Service without a selector (ExternalName, manual Endpoints) targets no pods by design.
      if (matches === undefined) continue;
      const subject = subjectOf(snapshot, service);
      const targeted = (podLabels.get(namespaceOf(service)) ?? []).some((labels) => matches(labels));
      results.push(
        targeted
          ? makeResult(kp106, 'pass', subject, 'spec.selector matches at least one pod or pod template')
          : makeResult(
              kp106,
              'fail',
              subject,
              `spec.selector matches no pod or pod template in namespace "${namespaceOf(service)}"`,
              {
                'spec.selector': JSON.stringify(dig(service, 'spec', 'selector')),
              },
            ),
      );
    }
    for (const ingress of objectsOfKind(snapshot, 'Ingress')) {
      const backends = ingressBackends(ingress);
      if (backends.length === 0) continue;
      const missing = backends.filter(({ service }) => !services.has(`${namespaceOf(ingress)}/${service}`));
      const subject = subjectOf(snapshot, ingress);
      results.push(
        missing.length === 0
          ? makeResult(kp106, 'pass', subject, 'every backend names an existing Service')
          : makeResult(
              kp106,
              'fail',
              subject,
              missing.map(({ path, service }) => `${path} names Service "${service}", not found`).join('; '),
              Object.fromEntries(
                missing.map(({ path, service }) => [`${path}.service.name`, JSON.stringify(service)]),
              ),
            ),
      );
    }
    return results;
  },
};
