# A service image for scripts/test-containers: the host's build of the service (in CI the debug
# build the test run made) on the local Debian base, set up like Dockerfiles/service.Dockerfile.
# Its build context is the folder scripts/test-containers prepares (one subfolder per service).
ARG BASE_IMAGE=localhost/platform-local-base:latest
FROM ${BASE_IMAGE}
ARG SERVICE
COPY probe /usr/local/bin/platform-probe
COPY ${SERVICE}/service.env /etc/platform/service.env
COPY ${SERVICE}/app/ /app/
ENV BIND_HOST=0.0.0.0
WORKDIR /app
USER 10001
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 CMD ["platform-probe", "/health"]
ENTRYPOINT ["/app/service"]
