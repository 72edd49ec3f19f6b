/**
 * The control-plane identities that KD-033 and KD-037 exclude (their own lists, narrower than
 * "non-system": other service accounts DO trigger them).
 */
export function isControlPlaneIdentity(name: string): boolean {
  return (
    name === 'system:kube-controller-manager' ||
    name === 'system:kube-scheduler' ||
    name.startsWith('system:node:') ||
    name.startsWith('system:serviceaccount:kube-system:') ||
    name.startsWith('eks:')
  );
}

/** KD-014 excludes kubelets and kube-system service accounts only. */
export function isNodeOrKubeSystemAccount(name: string): boolean {
  return name.startsWith('system:node:') || name.startsWith('system:serviceaccount:kube-system:');
}
