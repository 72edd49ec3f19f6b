import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { workloadIamIdentityCheck } from '#core/posture/checks/kp-027-workload-iam-identity.ts';
import { imdsHopLimitCheck } from '#core/posture/checks/kp-028-imds-hop-limit.ts';
import { loadBalancerTlsCheck } from '#core/posture/checks/kp-029-load-balancer-tls.ts';
import type { KubeObject } from '#core/posture/snapshot.ts';
import { aws, awsSnapshot, loadAwsResponse } from '#test/support/aws-fixtures.ts';

function manifests(text: string): KubeObject[] {
  return parseAllDocuments(text).map((document) => document.toJSON() as KubeObject);
}

const UPLOADER = manifests(`
apiVersion: v1
kind: ServiceAccount
metadata:
  name: uploader
  namespace: media
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: uploader
  namespace: media
spec:
  selector:
    matchLabels: {app: uploader}
  template:
    metadata:
      labels: {app: uploader}
    spec:
      serviceAccountName: uploader
      containers:
      - name: app
        image: 111122223333.dkr.ecr.us-east-2.amazonaws.com/uploader:1.4.2
        env:
        - name: AWS_REGION
          value: us-east-2
`);

describe('KP-027 IRSA / Pod Identity instead of the node role', () => {
  it('flags an AWS-calling workload whose service account has no IAM role', () => {
    const [result] = workloadIamIdentityCheck.evaluate(awsSnapshot({}, { objects: UPLOADER }));
    expect(result).toMatchObject({
      status: 'fail',
      object: { kind: 'Deployment', namespace: 'media', name: 'uploader' },
    });
    expect(result?.message).toContain('media/uploader has no eks.amazonaws.com/role-arn annotation');
  });

  it('passes the same workload once its service account carries the IRSA annotation', () => {
    const [account, deployment] = UPLOADER;
    const annotated = {
      ...account,
      metadata: {
        ...account?.metadata,
        annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/uploader' },
      },
    } as KubeObject;
    const [result] = workloadIamIdentityCheck.evaluate(
      awsSnapshot({}, { objects: [annotated, deployment as KubeObject] }),
    );
    expect(result?.status).toBe('pass');
  });

  it('passes it with a Pod Identity association', () => {
    const podIdentityAssociations = [
      {
        clusterName: 'my-eks-cluster',
        namespace: 'media',
        serviceAccount: 'uploader',
        associationArn: 'arn:aws:eks:us-east-2:111122223333:podidentityassociation/my-eks-cluster/a-1',
      },
    ];
    const [result] = workloadIamIdentityCheck.evaluate(
      awsSnapshot({ podIdentityAssociations }, { objects: UPLOADER }),
    );
    expect(result?.status).toBe('pass');
  });

  it('passes the vpc-cni add-on with a serviceAccountRoleArn and flags it without one', () => {
    const addon = aws.addon('eks-describe-addon-vpc-cni-default.json');
    expect(workloadIamIdentityCheck.evaluate(awsSnapshot({ addons: [addon] }))[0]?.status).toBe('pass');
    const { serviceAccountRoleArn: _removed, ...withoutRole } = addon;
    const [result] = workloadIamIdentityCheck.evaluate(awsSnapshot({ addons: [withoutRole] }));
    expect(result).toMatchObject({ status: 'fail', object: { kind: 'EKSAddon', name: 'vpc-cni' } });
  });

  it('gives no result for workloads with no sign of calling AWS', () => {
    const quiet = UPLOADER.map((object) => structuredClone(object));
    const deployment = quiet[1] as unknown as {
      spec: { template: { spec: { containers: { env?: unknown }[] } } };
    };
    const spec = deployment.spec.template.spec;
    delete spec.containers[0]?.env;
    expect(workloadIamIdentityCheck.evaluate(awsSnapshot({}, { objects: quiet }))).toEqual([]);
  });
});

describe('KP-028 IMDS hop limit', () => {
  it('skips each managed node group with what to verify and why it cannot be read', () => {
    const nodegroups = ['eks-describe-nodegroup.json', 'eks-describe-nodegroup-ssh-open.json'].map(
      (name) => loadAwsResponse<{ nodegroup: Record<string, unknown> }>(name).nodegroup,
    );
    const results = imdsHopLimitCheck.evaluate(awsSnapshot({ nodegroups }));
    expect(results.map((r) => [r.status, r.object.name])).toEqual([
      ['skip', 'my-eks-nodegroup'],
      ['skip', 'my-eks-managed-node-group'],
    ]);
    expect(results[0]?.message).toContain('ec2:DescribeLaunchTemplateVersions');
    expect(results[0]?.message).toContain('HttpPutResponseHopLimit=1');
  });

  it('names a custom launch template', () => {
    const nodegroup = {
      ...loadAwsResponse<{ nodegroup: Record<string, unknown> }>('eks-describe-nodegroup.json').nodegroup,
      launchTemplate: { name: 'hardened-nodes', version: '3', id: 'lt-0123456789abcdef0' },
    };
    const [result] = imdsHopLimitCheck.evaluate(awsSnapshot({ nodegroups: [nodegroup] }));
    expect(result?.message).toContain('launch template hardened-nodes version 3');
  });
});

const EXPOSED = manifests(`
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
  annotations:
    service.beta.kubernetes.io/aws-load-balancer-type: external
spec:
  type: LoadBalancer
  selector: {app: web}
  ports:
  - name: https
    port: 443
    targetPort: 8443
---
apiVersion: v1
kind: Service
metadata:
  name: postgres
  namespace: shop
spec:
  type: LoadBalancer
  selector: {app: postgres}
  ports:
  - port: 5432
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
  annotations:
    alb.ingress.kubernetes.io/scheme: internet-facing
spec:
  ingressClassName: alb
  rules:
  - http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: web
            port:
              number: 443
`);

describe('KP-029 TLS on AWS load balancers', () => {
  it('flags an HTTP LoadBalancer Service and an ALB Ingress without certificates, ignores non-HTTP ports', () => {
    const results = loadBalancerTlsCheck.evaluate(awsSnapshot({}, { objects: EXPOSED }));
    expect(results.map((r) => [r.object.kind, r.object.name, r.status])).toEqual([
      ['Service', 'web', 'fail'],
      ['Ingress', 'web', 'fail'],
    ]);
    expect(results[0]?.message).toContain('service.beta.kubernetes.io/aws-load-balancer-ssl-cert');
  });

  it('passes them once certificates are set', () => {
    const objects = structuredClone(EXPOSED);
    const cert = 'arn:aws:acm:us-east-2:111122223333:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';
    (objects[0] as KubeObject).metadata.annotations = {
      'service.beta.kubernetes.io/aws-load-balancer-ssl-cert': cert,
    };
    (objects[2] as KubeObject).metadata.annotations = { 'alb.ingress.kubernetes.io/certificate-arn': cert };
    const results = loadBalancerTlsCheck.evaluate(awsSnapshot({}, { objects }));
    expect(results.map((r) => r.status)).toEqual(['pass', 'pass']);
  });
});
