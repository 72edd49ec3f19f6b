import { performance } from 'node:perf_hooks';
import { createEvaluator } from '../../core/netpol/evaluate.ts';
import { isolationReport } from '../../core/netpol/isolation.ts';
import type {
  AdminNetworkPolicy,
  AdminRuleAction,
  BaselineAdminNetworkPolicy,
  ConnectionQuery,
  NetpolCluster,
  NetpolNamespace,
  NetpolPod,
  NetworkPolicy,
} from '../../core/netpol/types.ts';
import { type Random, seededRandom } from '../../test/support/cluster-manifests.ts';
import { type BenchSuite, type Figure, verdict } from '../figure.ts';

/**
 * The policy evaluator over a generated cluster of 1,000 pods in 10 namespaces, 200 NetworkPolicies
 * of every shape (deny-all, namespace and pod selectors, matchExpressions, ipBlock with except, named
 * ports, endPort, egress), 20 AdminNetworkPolicies (Allow, Deny and Pass rules; namespace and pod
 * subjects; networks, port ranges and named ports; some sharing a priority) and a baseline, so every
 * query walks the admin tier before the NetworkPolicies. Generation is seeded, so every run measures
 * the same cluster.
 */
const NAMESPACES = 10;
const PODS = 1_000;
const POLICIES = 200;
const ADMIN_POLICIES = 20;
const QUERIES = 50_000;
const ISOLATION_REPORTS = 200;
const QUERIES_PER_SECOND_TARGET = 10_000;

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
    const perSecond = Math.round(QUERIES / seconds);
    figures.push({
      name: 'queries per second (1,000 pods, 200 policies, 20 ANPs + baseline)',
      value: perSecond,
      unit: 'queries/s',
      target: verdict('>= 10,000', perSecond >= QUERIES_PER_SECOND_TARGET),
    });
    figures.push({ name: 'share of queries allowed', value: allowed / QUERIES, unit: 'ratio', target: '' });
    const decidedByAdmin = queries.filter((query) => {
      const result = evaluator.evaluate(query);
      return [result.egress, result.ingress].some((side) => side.rule !== undefined);
    }).length;
    figures.push({
      name: 'share of queries an admin rule decides',
      value: decidedByAdmin / QUERIES,
      unit: 'ratio',
      target: '',
    });

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
  const adminPolicies = Array.from({ length: ADMIN_POLICIES }, (_, i) => generateAdminPolicy(random, i));
  return { namespaces, pods, policies, adminPolicies, baselinePolicies: [baselinePolicy()] };
}

const ACTIONS: readonly AdminRuleAction[] = ['Allow', 'Deny', 'Pass'];

/** Priorities 0–9, two policies each: equal priorities occur, as they do in real clusters. */
function generateAdminPolicy(random: Random, i: number): AdminNetworkPolicy {
  const team = pick(random, TEAMS);
  const subject =
    i % 2 === 0
      ? { namespaces: { matchLabels: { team } } }
      : {
          pods: {
            namespaceSelector: { matchLabels: { env: 'prod' } },
            podSelector: { matchLabels: { app: pick(random, APPS) } },
          },
        };
  const action = (n: number) => ACTIONS[(i + n) % ACTIONS.length] as AdminRuleAction;
  return {
    apiVersion: 'policy.networking.k8s.io/v1alpha1',
    kind: 'AdminNetworkPolicy',
    metadata: { name: `anp-${i}` },
    spec: {
      priority: Math.floor(i / 2),
      subject,
      ingress: [
        {
          name: 'from-tier',
          action: action(0),
          from: [
            { pods: { namespaceSelector: {}, podSelector: { matchLabels: { tier: pick(random, TIERS) } } } },
          ],
          ports: [{ portNumber: { protocol: 'TCP', port: 9090 } }, { namedPort: 'http' }],
        },
        {
          name: 'from-team',
          action: action(1),
          from: [{ namespaces: { matchLabels: { team: pick(random, TEAMS) } } }],
          ports: [{ portRange: { protocol: 'TCP', start: 9000, end: 9100 } }],
        },
      ],
      egress: [
        { name: 'to-dev', action: action(2), to: [{ namespaces: { matchLabels: { env: 'dev' } } }] },
        { name: 'to-internet', action: 'Deny', to: [{ networks: ['198.51.100.0/24', '2001:db8::/32'] }] },
      ],
    },
  };
}

function baselinePolicy(): BaselineAdminNetworkPolicy {
  return {
    apiVersion: 'policy.networking.k8s.io/v1alpha1',
    kind: 'BaselineAdminNetworkPolicy',
    metadata: { name: 'default' },
    spec: {
      subject: { namespaces: {} },
      ingress: [
        { name: 'deny-from-dev', action: 'Deny', from: [{ namespaces: { matchLabels: { env: 'dev' } } }] },
      ],
    },
  };
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
