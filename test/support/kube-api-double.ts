/**
 * The loopback Kubernetes API of the tests is the sandbox's in-memory API (cli/sandbox/kube-api/):
 * one implementation serves `npm start`'s demo cluster and every test that needs a Kubernetes API.
 * See `KubeApiServer` for the semantics it implements.
 */
export {
  ApiFailure,
  type JsonObject,
} from '#cli/sandbox/kube-api/failure.ts';
export {
  BUILTIN_RESOURCES,
  externalSecretsResources,
  POLICY_CRD_RESOURCES,
  POSTURE_RESOURCES,
  type ResourceType,
} from '#cli/sandbox/kube-api/resources.ts';
export {
  type AdmissionAttributes,
  type AdmissionHook,
  type ForbiddenRule,
  KubeApiServer as KubeApiDouble,
  type KubeApiServerOptions as KubeApiDoubleOptions,
  type KubeVerb,
  type RecordedRequest,
} from '#cli/sandbox/kube-api/server.ts';
