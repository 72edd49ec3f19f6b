// Stands in for undici in the packaged CLI (scripts/build-cli.ts). The Kubernetes client
// (@kubernetes/client-node 2) talks HTTP through undici 8, which needs Node.js >= 22.19 and fails on
// Node 20 while loading (it binds zlib.createZstdDecompress). On an older Node the CLI hands the
// client undici 7 instead (the `undici-node20` devDependency, Node >= 20.18.1): the same Agent and
// fetch API the client uses, so --kubeconfig works on the Node 20 the package promises (decision D50).
// Both are bundled into the --kubeconfig chunk only, which nothing else loads.
'use strict';

const [major, minor, patch] = process.versions.node.split('.').map(Number);
const modern = major > 22 || (major === 22 && minor >= 19);
if (major === 20 && (minor < 18 || (minor === 18 && patch < 1))) {
  // Bundled with the CLI, so this is the KubeguardError class the commands answer with exit 2.
  const { KubeguardError } = require('../../core/errors.ts');
  throw new KubeguardError(
    'INVALID_ARGUMENT',
    `reading a live cluster (--kubeconfig) needs Node.js >= 20.18.1; this is Node.js ${process.version}. Upgrade Node.js, or audit the manifests instead (--manifests DIR).`,
  );
}
module.exports = modern ? require('undici') : require('undici-node20');
