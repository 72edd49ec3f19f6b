import { arrayField, field } from '../model/kube-object.ts';
import { csiSecretProviderClass } from './csi.ts';

/**
 * The Kubernetes Secrets (and Secrets Store CSI SecretProviderClasses) a pod spec reads, by name,
 * with where: env `secretKeyRef`, `envFrom` `secretRef`, secret and projected volumes, CSI volumes
 * of the Secrets Store driver. Values are never involved: only names, keys and paths.
 */

export type ReferenceVia = 'env' | 'envFrom' | 'secret volume' | 'projected volume' | 'csi volume';

export interface PodSecretReference {
  via: ReferenceVia;
  /** The Kubernetes Secret read (env, envFrom, secret and projected volumes). */
  secret?: string;
  /** The SecretProviderClass mounted (csi volume). */
  secretProviderClass?: string;
  /** Where in the object, e.g. `spec.template.spec.containers[0].env[1]`. */
  path: string;
}

const CONTAINER_GROUPS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

/** Every Secret reference of a pod spec found at `path` in its object. */
export function podSecretReferences(spec: unknown, path: string): PodSecretReference[] {
  const references: PodSecretReference[] = [];
  const named = (value: unknown): value is string => typeof value === 'string' && value !== '';
  for (const group of CONTAINER_GROUPS) {
    arrayField(spec, group).forEach((container, containerIndex) => {
      const at = `${path}.${group}[${containerIndex}]`;
      arrayField(container, 'env').forEach((env, envIndex) => {
        const name = field(env, 'valueFrom', 'secretKeyRef', 'name');
        if (named(name)) references.push({ via: 'env', secret: name, path: `${at}.env[${envIndex}]` });
      });
      arrayField(container, 'envFrom').forEach((envFrom, envFromIndex) => {
        const name = field(envFrom, 'secretRef', 'name');
        if (named(name))
          references.push({ via: 'envFrom', secret: name, path: `${at}.envFrom[${envFromIndex}]` });
      });
    });
  }
  arrayField(spec, 'volumes').forEach((volume, volumeIndex) => {
    const at = `${path}.volumes[${volumeIndex}]`;
    const secretName = field(volume, 'secret', 'secretName');
    if (named(secretName)) references.push({ via: 'secret volume', secret: secretName, path: at });
    arrayField(volume, 'projected', 'sources').forEach((source, sourceIndex) => {
      const name = field(source, 'secret', 'name');
      if (named(name)) {
        references.push({
          via: 'projected volume',
          secret: name,
          path: `${at}.projected.sources[${sourceIndex}]`,
        });
      }
    });
    const providerClass = csiSecretProviderClass(volume);
    if (providerClass !== undefined) {
      references.push({ via: 'csi volume', secretProviderClass: providerClass, path: at });
    }
  });
  return references;
}
