#!/usr/bin/env node
// The kubeguard CLI. Node >= 24 runs the TypeScript sources directly (type stripping); `npx kubeguard`
// resolves `node` to the pinned Node 24 devDependency in node_modules/.bin.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  console.error(
    `kubeguard needs Node.js >= 24 (this is ${process.version}). Run it through npx or npm scripts, which use the pinned Node 24.`,
  );
  process.exit(2);
}
const { main } = await import('../cli/kubeguard.ts');
process.exitCode = await main(process.argv.slice(2));
