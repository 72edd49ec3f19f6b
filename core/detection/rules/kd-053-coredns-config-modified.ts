import { sentence } from '../../model/sentence.ts';
import { getPath, isRecord, isRequestOn } from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import {
  actionPhrase,
  actor,
  isNonSystemCaller,
  listOf,
  outcomeNote,
  targetName,
  targetNamespace,
} from './shared-rbac-objects.ts';

const VERBS = ['update', 'patch', 'delete'];
const DNS_CONFIGMAPS = ['coredns', 'kube-dns', 'coredns-custom'];

export const kd053CorednsConfigModified: AuditRule = {
  id: 'KD-053',
  title: 'CoreDNS configuration modified',
  severity: 'high',
  mitre: ['T1565.001', 'T1557'],
  core: false,
  resources: ['configmaps'],
  trigger:
    'update/patch/delete `configmaps` name ∈ {coredns, kube-dns, coredns-custom} in kube-system, non-system ' +
    'user (any response: the trigger has no success clause)',
  whatHappened: 'A person changed or deleted the cluster DNS configuration (CoreDNS / kube-dns ConfigMap).',
  whyItMatters:
    'Whoever controls cluster DNS can redirect service names to pods or hosts they control and ' +
    'intercept traffic and credentials (CoreDNS poisoning, MS-TA9035), or break name resolution.',
  firstResponse:
    'Diff the Corefile against the EKS add-on default (`kubectl -n kube-system get cm coredns -o yaml`). ' +
    'Look for `rewrite`, `hosts` or `forward` entries that were not approved and revert them.',
  falsePositives:
    'Administrators adding stub domains or forwarders by hand. Updates of the EKS CoreDNS add-on run as ' +
    '`eks:addon-manager` and do not trigger this rule.',
  /** The EKS fixture eks-audit-clusterrolebinding-cluster-admin.json caller, patching kube-system/coredns. */
  example: {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'RequestResponse',
    auditID: '8e0a2c4e-6a8c-4e0a-9c4e-6a8c0e2a4c6e',
    stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/kube-system/configmaps/coredns',
    verb: 'patch',
    user: { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] },
    sourceIPs: ['203.0.113.45'],
    userAgent: 'kubectl/v1.28.4 (linux/amd64) kubernetes/bae2c62',
    objectRef: { resource: 'configmaps', namespace: 'kube-system', name: 'coredns', apiVersion: 'v1' },
    responseStatus: { code: 200 },
    requestObject: {
      data: {
        Corefile:
          '.:53 {\n    errors\n    rewrite name api.example.com attacker.example.net\n    kubernetes cluster.local in-addr.arpa ip6.arpa\n    forward . /etc/resolv.conf\n}\n',
      },
    },
    requestReceivedTimestamp: '2024-05-15T15:02:40.118340Z',
    stageTimestamp: '2024-05-15T15:02:40.124911Z',
    annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
  },
  match(event) {
    if (!isRequestOn(event, VERBS, ['configmaps']) || !isNonSystemCaller(event)) return null;
    const name = targetName(event);
    if (targetNamespace(event) !== 'kube-system' || name === undefined || !DNS_CONFIGMAPS.includes(name)) {
      return null;
    }
    const evidence: Record<string, string> = { configMap: `kube-system/${name}` };
    const data = getPath(event.requestObject, 'data');
    if (isRecord(data)) evidence.dataKeys = listOf(Object.keys(data));
    return {
      summary: sentence`${actor(event)} ${actionPhrase(event)} the cluster DNS ConfigMap ${`kube-system/${name}`}${outcomeNote(event)}.`,
      evidence,
      namespace: 'kube-system',
      workload: `configmap/${name}`,
    };
  },
};
