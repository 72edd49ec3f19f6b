import { performance } from 'node:perf_hooks';
import { createEvaluator } from '../../core/netpol/evaluate.ts';
import { isolationReport } from '../../core/netpol/isolation.ts';
import type {
  ConnectionQuery,
  NetpolCluster,
  NetpolNamespace,
  NetpolPod,
  NetworkPolicy,
} from '../../core/netpol/types.ts';
import type { BenchSuite, Figure } from '../figure.ts';

/**
 * The NetworkPolicy evaluator over a generated cluster of 1,000 pods in 10 namespaces and 200
 * policies of every shape (deny-all, namespace and pod selectors, matchExpressions, ipBlock with
 * except, named ports, endPort, egress). Generation is seeded, so every run measures the same cluster.
 */
const NAMESPACES = 10;
const PODS = 1_000;
const POLICIES = 200;
const QUERIES = 50_000;
const ISOLATION_REPORTS = 200;

export const suite: BenchSuite = {
  name: 'netpol',
  run: async () => {
    const cluster = generateCluster(seededRandom(42));
    const queries = generateQueries(cluster, seededRandom(7), QUERIES);
    const figures: Figure[] = [];

    const coldStart = performance.now();
    const cold = createEvaluator(cluster);
    cold.evaluate(queries[0] as ConnectionQuery);
    figures.push({
      name: 'compile 200 policies + first query',
      value: performance.now() - coldStart,
      unit: 'ms',
      target: '',
    });

    // A fresh evaluator per timed run: the per-pod policy cache fills during the run, as in the CLI.
    const evaluator = createEvaluator(cluster);
    let allowed = 0;
    const start = performance.now();
    for (const query of queries) if (evaluator.evaluate(query).verdict === 'allow') allowed++;
    const seconds = (performance.now() - start) / 1000;
    figures.push({
      name: 'queries per second (1,000 pods, 200 policies)',
      value: Math.round(QUERIES / seconds),
      unit: 'queries/s',
      target: '>= 10,000',
    });
    figures.push({ name: 'share of queries allowed', value: allowed / QUERIES, unit: 'ratio', target: '' });

    const reportStart = performance.now();
    for (const pod of cluster.pods.slice(0, ISOLATION_REPORTS)) {
      isolationReport(pod, cluster);
    }
    figures.push({
      name: 'isolation reports per second',
      value: Math.round(ISOLATION_REPORTS / ((performance.now() - reportStart) / 1000)),
      unit: 'reports/s',
      target: '',
    });
    return figures;
  },
};

type Random = () => number;

/** mulberry32: small, fast and deterministic. */
function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

const APPS = ['web', 'api', 'db', 'cache', 'worker', 'auth', 'search', 'queue', 'metrics', 'gateway'];
const TIERS = ['frontend', 'backend', 'data'];
const TEAMS = ['payments', 'catalog', 'platform', 'identity'];

function generateCluster(random: Random): NetpolCluster {
  const namespaces: NetpolNamespace[] = Array.from({ length: NAMESPACES }, (_, i) => ({
    name: `ns-${i}`,
    labels: {
      'kubernetes.io/metadata.name': `ns-${i}`,
      team: pick(random, TEAMS),
      env: i < 7 ? 'prod' : 'dev',
    },
  }));
  const pods: NetpolPod[] = Array.from({ length: PODS }, (_, i) => ({
    namespace: `ns-${i % NAMESPACES}`,
    name: `pod-${i}`,
    labels: { app: pick(random, APPS), tier: pick(random, TIERS), version: `v${1 + (i % 3)}` },
    ip: `10.${i >> 16}.${(i >> 8) & 0xff}.${i & 0xff}`,
    ports: [
      { name: 'http', containerPort: 8080, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
    ],
  }));
  const policies = Array.from({ length: POLICIES }, (_, i) => generatePolicy(random, i));
  return { namespaces, pods, policies };
}

function generatePolicy(random: Random, i: number): NetworkPolicy {
  const namespace = `ns-${i % NAMESPACES}`;
  const metadata = { name: `policy-${i}`, namespace };
  const podSelector = { matchLabels: { app: pick(random, APPS) } };
  switch (i % 6) {
    case 0:
      return { metadata, spec: { podSelector: {}, policyTypes: ['Ingress'] } };
    case 1:
      return {
        metadata,
        spec: {
          podSelector,
          ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: pick(random, TEAMS) } } }] }],
        },
      };
    case 2:
      return {
        metadata,
        spec: {
          podSelector,
          ingress: [
            {
              from: [
                {
                  podSelector: {
                    matchExpressions: [{ key: 'tier', operator: 'In', values: ['frontend', 'backend'] }],
                  },
                },
              ],
              ports: [{ port: 'http' }, { port: 9000, endPort: 9100 }],
            },
          ],
        },
      };
    case 3:
      return {
        metadata,
        spec: {
          podSelector,
          ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.0.1.0/24'] } }] }],
        },
      };
    case 4:
      return {
        metadata,
        spec: {
          podSelector,
          policyTypes: ['Egress'],
          egress: [
            {
              to: [
                {
                  namespaceSelector: {
                    matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }],
                  },
                  podSelector: { matchLabels: { tier: pick(random, TIERS) } },
                },
              ],
              ports: [{ port: 8080 }, { protocol: 'UDP', port: 53 }],
            },
          ],
        },
      };
    default:
      return {
        metadata,
        spec: {
          podSelector: {},
          policyTypes: ['Ingress', 'Egress'],
          ingress: [{ from: [{ podSelector: {} }] }],
          egress: [{ to: [{ namespaceSelector: {} }] }, { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }],
        },
      };
  }
}

function generateQueries(cluster: NetpolCluster, random: Random, count: number): ConnectionQuery[] {
  const key = (pod: NetpolPod) => `${pod.namespace}/${pod.name}`;
  return Array.from({ length: count }, (_, i) => {
    const from = pick(random, cluster.pods);
    const to = pick(random, cluster.pods);
    const port = pick(random, [8080, 9090, 9050, 443]);
    if (i % 10 === 0) return { from: { ip: `198.51.100.${i % 250}` }, to: { pod: key(to) }, port };
    return { from: { pod: key(from) }, to: { pod: key(to) }, port };
  });
}
