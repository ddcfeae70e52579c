# syntax=docker/dockerfile:1
# One image per service, the service named by a build argument:
#
#   docker build -f Dockerfiles/service.Dockerfile --build-arg SERVICE=gateway -t platform-gateway .
#
# docker-compose.yml builds all ten this way. The `build` stage does not depend on SERVICE, so
# the ten images share one release build (the slow part) from the build cache. Binaries are
# release-built with the Swift runtime linked in and stripped; the runtime stage is Debian slim
# with only the shared libraries the service's binary needs (read by ldd), run unprivileged.

ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${SWIFT_IMAGE} AS build
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# The C client libraries' headers (the list scripts/setup installs on a host).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpq-dev libmariadb-dev libmongoc-dev libbson-dev librabbitmq-dev libcrypt-dev zlib1g-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN swift build -c release --static-swift-stdlib \
    && bin="$(swift build -c release --static-swift-stdlib --show-bin-path)" \
    && mkdir -p /out/bin \
    && source scripts/lib/common.sh && source scripts/lib/services.sh \
    && for name in "${SERVICES[@]}"; do install -m 0755 "$bin/$name" "/out/bin/$name" && strip "/out/bin/$name"; done \
    && for bundle in "$bin"/*.resources; do cp -R "$bundle" /out/bin/; done

FROM build AS service
ARG SERVICE
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN test -n "$SERVICE" || { echo "build with --build-arg SERVICE=<name of Services/services.tsv>" >&2; exit 1; }
RUN mkdir -p /out/app \
    && cp "/out/bin/$SERVICE" /out/app/service \
    && cp -R /out/bin/*.resources /out/app/ \
    && ldd /out/app/service | awk '$3 ~ /^\// { print $3 }' | xargs -r dpkg -S | cut -d: -f1 | sort -u > /out/packages \
    && Dockerfiles/service-facts "$SERVICE" > /out/service.env

FROM ${RUNTIME_IMAGE} AS runtime
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
COPY --from=service /out/packages /tmp/packages
RUN apt-get update \
    && xargs -a /tmp/packages apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* /tmp/packages \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin platform
COPY --from=service /out/service.env /etc/platform/service.env
COPY Dockerfiles/probe /usr/local/bin/platform-probe
COPY --from=service /out/app /app
ENV BIND_HOST=0.0.0.0
WORKDIR /app
USER 10001
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 CMD ["platform-probe", "/health"]
ENTRYPOINT ["/app/service"]
