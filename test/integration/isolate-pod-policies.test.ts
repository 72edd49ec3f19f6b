import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { createKubeClient } from '#adapters/kubernetes/client.ts';
import type { ActionContext } from '#core/remediation/action.ts';
import { isolatePod } from '#core/remediation/isolate-pod.ts';
import type { KubeObject } from '#core/remediation/kube-objects.ts';
import { requiredRbacRules } from '#core/remediation/registry.ts';
import { runAction } from '#core/remediation/run.ts';
import { KubeApiDouble, POLICY_CRD_RESOURCES, type ResourceType } from '#test/support/kube-api-double.ts';
import { actionContext, SUSPECT, shopCluster } from '#test/support/remediation-cluster.ts';

/**
 * Isolation verification against every policy that applies to the pod, end to end (core action →
 * client adapter → the API double on loopback), with the bot's ClusterRole enforced: leading-zero
 * CIDRs, NetworkPolicies that do not parse, AdminNetworkPolicies, Calico policies and policy kinds the
 * bot may not list.
 */

let api: KubeApiDouble;
let context: ActionContext;

async function start(objects: KubeObject[], installed: readonly ResourceType[] = []): Promise<void> {
  api = await new KubeApiDouble({
    objects,
    extraResources: installed,
    now: () => '2024-05-01T10:00:00Z',
  }).start();
  api.allowOnly(
    requiredRbacRules().flatMap((rule) => rule.verbs.map((verb) => ({ verb, resource: rule.resource }))),
  );
  const config = new KubeConfig();
  config.loadFromOptions(api.kubeConfigOptions());
  context = actionContext(createKubeClient({ kubeConfig: config }));
}

afterEach(async () => {
  await api.stop();
});

const request = { namespace: 'shop', pod: SUSPECT, quarantineId: 'q7f3a9' };

async function verification() {
  const outcome = await runAction(isolatePod, request, context);
  if (outcome.status !== 'done') throw new Error(`isolation did not run: ${JSON.stringify(outcome)}`);
  return outcome.verification;
}

function allowAllEgress(name: string, cidr: string): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: 'shop' },
    spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr } }] }] },
  };
}

const installed = (...kinds: string[]) =>
  POLICY_CRD_RESOURCES.filter((r) => kinds.includes(`${r.kind}.${r.group}`));

describe('isolate pod: verification against every policy that applies', () => {
  it.each([
    ['000.0.0.0/0', '0.0.0.0/0'],
    ['010.0.0.0/8', '10.0.0.0/8'],
  ])('is not complete while an allow-all egress to %s (leading zeros) stands', async (cidr, read) => {
    await start([...shopCluster(), allowAllEgress('allow-all-egress', cidr)]);

    const verified = await verification();

    expect(verified.complete).toBe(false);
    expect(verified.summary).toBe(
      `partial: shop/allow-all-egress still allows egress to IPs in ${cidr} (read as ${read}) on any port and protocol`,
    );
  });

  it('is not verified while a NetworkPolicy of the namespace cannot be parsed, naming it', async () => {
    const typo = allowAllEgress('typo', '0.0.0.0/0');
    typo.spec = {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ too: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }],
    };
    await start([...shopCluster(), typo]);

    const verified = await verification();

    expect(verified).toMatchObject({
      complete: false,
      summary:
        'not verified: NetworkPolicy/shop/typo could not be evaluated (spec.egress[0]: Unrecognized key: "too")',
    });
  });

  it('is partial while an AdminNetworkPolicy allows ingress, naming it and the pods it admits today', async () => {
    const anp: KubeObject = {
      apiVersion: 'policy.networking.k8s.io/v1alpha1',
      kind: 'AdminNetworkPolicy',
      metadata: { name: 'allow-monitoring' },
      spec: {
        priority: 5,
        subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } },
        ingress: [
          {
            name: 'allow-from-monitoring',
            action: 'Allow',
            from: [{ namespaces: { matchLabels: { team: 'observability' } } }],
            ports: [{ portNumber: { protocol: 'TCP', port: 8080 } }],
          },
        ],
      },
    };
    await start(
      [...shopCluster(), anp],
      installed(
        'AdminNetworkPolicy.policy.networking.k8s.io',
        'BaselineAdminNetworkPolicy.policy.networking.k8s.io',
      ),
    );

    const verified = await verification();

    expect(verified).toMatchObject({
      complete: false,
      summary:
        'partial: AdminNetworkPolicy/allow-monitoring still allows ingress from all pods in namespaces team=observability (today: monitoring/prometheus-0) on TCP/8080',
    });
  });

  it('is not verified while a Calico GlobalNetworkPolicy exists (Calico CRDs only), naming it', async () => {
    const calico: KubeObject = {
      apiVersion: 'crd.projectcalico.org/v1',
      kind: 'GlobalNetworkPolicy',
      metadata: { name: 'default-deny' },
      spec: { order: 100, selector: 'all()', types: ['Ingress', 'Egress'] },
    };
    await start(
      [...shopCluster(), calico],
      installed('NetworkPolicy.crd.projectcalico.org', 'GlobalNetworkPolicy.crd.projectcalico.org'),
    );

    const verified = await verification();

    expect(verified).toMatchObject({
      complete: false,
      summary:
        'not verified: GlobalNetworkPolicy/default-deny could not be evaluated (a Calico policy; kubeguard does not evaluate Calico policies)',
    });
  });

  it('is not verified when the bot may not list a policy kind that is installed', async () => {
    await start(
      shopCluster(),
      installed('CiliumNetworkPolicy.cilium.io', 'CiliumClusterwideNetworkPolicy.cilium.io'),
    );
    api.forbid({ verb: 'list', resource: 'ciliumclusterwidenetworkpolicies' });

    const verified = await verification();

    expect(verified.complete).toBe(false);
    expect(verified.summary).toMatch(
      /^not verified: CiliumClusterwideNetworkPolicy objects could not be read \(.*HTTP 403/,
    );
  });

  it('reads the policy kinds that are installed and stays complete when none applies', async () => {
    await start(shopCluster(), POLICY_CRD_RESOURCES);

    const verified = await verification();

    expect(verified).toMatchObject({ complete: true, summary: 'isolation complete' });
    const lists = api.requests.filter((r) => r.verb === 'list' && r.status === 200).map((r) => r.path);
    expect(lists).toEqual(
      expect.arrayContaining([
        '/apis/policy.networking.k8s.io/v1alpha1/adminnetworkpolicies',
        '/apis/policy.networking.k8s.io/v1alpha1/baselineadminnetworkpolicies',
        '/apis/projectcalico.org/v3/namespaces/shop/networkpolicies',
        '/apis/projectcalico.org/v3/globalnetworkpolicies',
        '/apis/cilium.io/v2/namespaces/shop/ciliumnetworkpolicies',
        '/apis/cilium.io/v2/ciliumclusterwidenetworkpolicies',
      ]),
    );
  });
});
