/** A container image reference split the way the container runtime reads it. */
export interface ImageReference {
  /** Registry host, `docker.io` when the reference names none. */
  registry: string;
  /** Repository path, `library/nginx` for `nginx`. */
  repository: string;
  tag?: string;
  digest?: string;
}

/** Parses `[registry/]path[:tag][@digest]` (distribution/reference rules, without validating characters). */
export function parseImage(image: string): ImageReference {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const name = at >= 0 ? image.slice(0, at) : image;
  const lastSlash = name.lastIndexOf('/');
  const lastColon = name.lastIndexOf(':');
  const tag = lastColon > lastSlash ? name.slice(lastColon + 1) : undefined;
  const path = lastColon > lastSlash ? name.slice(0, lastColon) : name;
  const firstSlash = path.indexOf('/');
  const first = firstSlash >= 0 ? path.slice(0, firstSlash) : '';
  const hasRegistry =
    firstSlash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasRegistry ? first : 'docker.io';
  let repository = hasRegistry ? path.slice(firstSlash + 1) : path;
  if (!hasRegistry && !repository.includes('/')) repository = `library/${repository}`;
  const reference: ImageReference = { registry, repository };
  if (tag !== undefined && tag !== '') reference.tag = tag;
  if (digest !== undefined && digest !== '') reference.digest = digest;
  return reference;
}

/** `registry/repository`, the form approved-registry prefixes are compared with. */
export function qualifiedName(reference: ImageReference): string {
  return `${reference.registry}/${reference.repository}`;
}

/** Whether the image comes from an approved prefix (a registry host, or host/path, matched on `/` boundaries). */
export function isApproved(image: string, approved: readonly string[]): boolean {
  const name = qualifiedName(parseImage(image));
  return approved.some((entry) => {
    const prefix = entry.replace(/\/+$/, '');
    return prefix !== '' && (name === prefix || name.startsWith(`${prefix}/`));
  });
}
