// Stands in for undici in the packaged CLI (scripts/build-cli.ts). The Kubernetes client
// (@kubernetes/client-node 2) talks HTTP through undici 8, which needs Node.js >= 22.19 and fails on
// Node 20 while loading (it binds zlib.createZstdDecompress). The CLI loads the Kubernetes client only
// for --kubeconfig (a chunk of its own), so on an older Node that one option says what it needs
// instead of a TypeError from inside undici, and everything else keeps working (decision D50).
'use strict';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
  // Bundled with the CLI, so this is the same KubeguardError class the commands test for: the option
  // cannot be used here, a usage error (exit 2) in every command.
  const { KubeguardError } = require('../../core/errors.ts');
  throw new KubeguardError(
    'INVALID_ARGUMENT',
    `reading a live cluster (--kubeconfig) needs Node.js >= 22.19, for the Kubernetes client's HTTP library; this is Node.js ${process.version}. ` +
      'Upgrade Node.js, or audit the manifests instead (--manifests DIR).',
  );
}
module.exports = require('undici');
