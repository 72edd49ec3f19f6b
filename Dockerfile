# The kubeguard CLI as a container image, for CI systems that run steps in containers
# (docs/cli.md, "Install"). It installs the tarball `npm pack` makes; build that first:
#
#   npm ci && npm pack                      # writes kubeguard-<version>.tgz
#   docker build -t kubeguard:0.1.0 .
#   docker run --rm -v "$PWD:/work" --user "$(id -u):$(id -g)" kubeguard:0.1.0 audit --manifests k8s/
#
# Node 24, not 20: reading a live cluster (--kubeconfig) needs Node >= 22.19 (decision D50).
# The package has no dependencies, so the install fetches nothing.
FROM node:24-slim
COPY kubeguard-*.tgz /tmp/
RUN npm install --global --no-audit --no-fund /tmp/kubeguard-*.tgz \
  && rm /tmp/kubeguard-*.tgz \
  && npm cache clean --force
# The pipeline mounts its checkout here; paths in reports are relative to it.
WORKDIR /work
USER node
ENTRYPOINT ["kubeguard"]
CMD ["--help"]
