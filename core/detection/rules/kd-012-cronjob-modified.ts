import { sentence } from '../../model/sentence.ts';
import { isRequestOn, isSuccess, isSystemPrincipal, namespaceOf, username } from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import { exampleEvent } from './shared-workload-examples.ts';
import { inApiGroup, inNamespace, nameOrUnnamed, pastTense, targetName } from './shared-workload-objects.ts';
import { actorOf } from './shared-workload-pod.ts';

export const kd012CronJobModified: AuditRule = {
  id: 'KD-012',
  title: 'CronJob created or modified',
  severity: 'medium',
  mitre: ['T1053.007'],
  core: true,
  resources: ['cronjobs'],
  trigger:
    'verb in {create, update, patch, delete} on `cronjobs` (apiGroup `batch`), success, non-system user',
  whatHappened: 'A person created, changed or deleted a CronJob.',
  whyItMatters:
    'A CronJob re-creates its pod on a schedule: attackers use one to keep a foothold that survives pod ' +
    'deletion, and a deleted CronJob can silence backups or security scans.',
  firstResponse:
    'Review the CronJob’s schedule, image, command and service account, and whether the change came ' +
    'through your pipeline. Suspend or delete it if it is not recognised.',
  falsePositives: 'Scheduled jobs deployed by people with kubectl or Helm rather than by a CI identity.',
  // Panther k8s_cronjob_created_or_modified test "CronJob created" (corpus line 70), with an EKS user.
  example: exampleEvent({
    auditID: 'd5e6f7a8-0012-4b9c-8d0e-1f2a3b4c5d6e',
    requestURI: '/apis/batch/v1/namespaces/default/cronjobs',
    verb: 'create',
    objectRef: {
      resource: 'cronjobs',
      namespace: 'default',
      name: 'backup-job',
      apiGroup: 'batch',
      apiVersion: 'v1',
    },
    responseStatus: { code: 201 },
    requestObject: {
      kind: 'CronJob',
      apiVersion: 'batch/v1',
      metadata: { name: 'backup-job', namespace: 'default' },
      spec: {
        schedule: '0 2 * * *',
        jobTemplate: {
          spec: { template: { spec: { containers: [{ name: 'backup', image: 'backup:latest' }] } } },
        },
      },
    },
  }),
  match(event) {
    if (!isRequestOn(event, ['create', 'update', 'patch', 'delete'], ['cronjobs'])) return null;
    if (!inApiGroup(event, 'batch') || !isSuccess(event)) return null;
    if (isSystemPrincipal(username(event))) return null;
    const name = targetName(event);
    const namespace = namespaceOf(event);
    const summary = sentence`${actorOf(event)} ${pastTense(event.verb)} CronJob ${nameOrUnnamed(name)}${inNamespace(namespace)}.`;
    return {
      summary,
      namespace,
      workload: name === undefined ? undefined : `cronjob/${name}`,
      evidence: { cronJob: name ?? '' },
    };
  },
};
