# ma-alexa-bridge: the home side of the Music Assistant Alexa skill, as a small container.
# compose.yaml (the home path, docs/home.md) builds it and runs it with the skill endpoint on,
# behind Caddy. On its own:
#
#   docker build -t ma-alexa-bridge .
#   docker run -d --name ma-alexa-bridge -p 5000:5000 -v ma-alexa-bridge:/data \
#     -e BRIDGE_USERNAME=alexa -e BRIDGE_PASSWORD='a long password' ma-alexa-bridge
#
# The image holds one static binary and an empty /data: no shell, no libc, no package manager.
# It runs as an unprivileged user (uid 65532) and keeps its state in /data/state.json. The same
# file is the Home Assistant add-on's (config.yaml, docs/home-assistant.md).

# Build stage: a static (musl) binary for the platform being built (amd64 or arm64).
FROM rust:1-bookworm AS build
ARG TARGETARCH
RUN case "${TARGETARCH:-$(dpkg --print-architecture)}" in \
      amd64) echo x86_64-unknown-linux-musl ;; \
      arm64) echo aarch64-unknown-linux-musl ;; \
      *) echo "unsupported platform: ${TARGETARCH}" >&2; exit 1 ;; \
    esac > /rust-target \
 && rustup target add "$(cat /rust-target)" \
 && apt-get update \
 && apt-get install -y --no-install-recommends musl-tools \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY bench ./bench
COPY skill-package ./skill-package
RUN cargo build --release --locked --target "$(cat /rust-target)" --bin ma-alexa-bridge \
 && mkdir -p /out/data \
 && cp "target/$(cat /rust-target)/release/ma-alexa-bridge" /out/ma-alexa-bridge

# Run stage: nothing but the binary.
FROM scratch
# Home Assistant's supervisor builds this file as the add-on (config.yaml) and passes BUILD_ARCH:
# there the bridge runs as root, because the /data the supervisor mounts and the options.json it
# writes there (mode 0600) belong to root. Built any other way, it runs as uid 65532.
ARG BUILD_ARCH
ARG RUN_AS=${BUILD_ARCH:+0:0}
COPY --from=build /out/ma-alexa-bridge /ma-alexa-bridge
COPY --from=build --chown=65532:65532 /out/data /data
USER ${RUN_AS:-65532:65532}
ENV BRIDGE_LISTEN=0.0.0.0:5000 \
    BRIDGE_STATE_FILE=/data/state.json
VOLUME ["/data"]
EXPOSE 5000
HEALTHCHECK --interval=30s --timeout=5s --start-period=5s --retries=3 \
  CMD ["/ma-alexa-bridge", "healthcheck"]
ENTRYPOINT ["/ma-alexa-bridge"]
