# The engine's image, for docker-compose.mm.yml (README, "Deploy and stop (Docker)").
# The base is a build argument: Debian's bookworm-slim from Docker Hub by default; the Docker test
# (tests/docker_test.ts) builds the same file from a base made locally with debootstrap.
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}

# npm installs the pinned Deno (./deno does, on its first run) and the npm packages. npm and Deno
# trust the system's certificate store, so a base that adds a site's certificate authority (under
# /usr/local/share/ca-certificates, as the test's local base does) reaches npm through its proxy.
RUN apt-get update \
  && apt-get install -y --no-install-recommends ca-certificates nodejs npm \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
  SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt

WORKDIR /app
COPY deno ./
RUN ./deno --version
COPY deno.json deno.lock main.ts ./
COPY engine engine
COPY tools tools
COPY wasm wasm
# The npm packages of the lock file, then the WASM kernel, built in the image.
RUN ./deno install --frozen && ./deno task build:wasm

# Harvests, state and fills live on the host (compose mounts ./data), so they survive rebuilds.
VOLUME /app/data
ENV NO_COLOR=1 DENO_NO_UPDATE_CHECK=1
# tools/engine.sh runs a mode with its permission set: shadow | demo | live.
ENTRYPOINT ["./tools/engine.sh"]
CMD ["shadow"]
