import { createAccountCredentials } from '../../adapters/aws/account-credentials.ts';
import { createInspectorFindingSource } from '../../adapters/aws/inspector-findings.ts';
import { kubeguardTableFromEnv } from '../../adapters/aws/kubeguard-table.ts';
import { DynamoNotRunningImages } from '../../adapters/aws/not-running-images.ts';
import { functionEnvironment } from '../../adapters/config/env.ts';
import { createEksConnections } from '../../adapters/kubernetes/eks-connections.ts';
import { createRunningImageSource } from '../../adapters/kubernetes/running-images.ts';
import { functionObservability } from '../shared/observability.ts';
import { recorderFromEnv } from '../shared/recorder.ts';
import { once, systemClock } from '../shared/runtime.ts';

/**
 * What the image-findings function runs, built once per cold start from the validated environment:
 * Inspector's ListFindings and the clusters' pods, each in its account (member accounts through
 * their role, assumed as `kubeguard-image-findings`; the function runs as the posture-audit role,
 * which member roles and EKS access entries already trust, D63); the finding recorder on the
 * kubeguard table, nudging the delivery function; the not-running images on the same table. The
 * running containers are kept 60 s, so a rescan's burst of events lists each cluster once.
 */
export const composeImageFindings = once(() => {
  const environment = functionEnvironment();
  const observability = functionObservability('image-findings');
  const { logger, metrics } = observability;
  const { config } = environment;
  const accounts = createAccountCredentials({ config, functionName: 'image-findings' });
  const connections = createEksConnections(accounts);
  return {
    config,
    logger,
    metrics,
    observability,
    clock: systemClock,
    findings: recorderFromEnv(environment, logger, metrics),
    images: createInspectorFindingSource({
      config,
      accounts,
      onTruncated: (what) => logger.warn('ListFindings stopped at its page cap: the list is partial', what),
    }),
    running: createRunningImageSource({ clusters: config.clusters, access: connections.access }),
    notRunning: new DynamoNotRunningImages(kubeguardTableFromEnv(environment)),
  };
});
