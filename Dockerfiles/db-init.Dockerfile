# syntax=docker/dockerfile:1
# The compose stack's one init step: creates each service's database and account
# (Services/services.tsv) with the passwords of the env file, then exits. Idempotent. With
# docker-compose.mtls.yml the same image makes the platform's CA and service certificates.
ARG RUNTIME_IMAGE=debian:bookworm-slim
FROM ${RUNTIME_IMAGE}
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client mariadb-client python3 python3-venv ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && python3 -m venv /opt/db-init \
    && /opt/db-init/bin/pip install --no-cache-dir pymongo==4.20.0 \
    && useradd --system --uid 10001 --shell /usr/sbin/nologin platform \
    && mkdir -p /var/lib/platform-tls && chown 10001 /var/lib/platform-tls
COPY Services/services.tsv /etc/platform/services.tsv
COPY Services/services.tsv /opt/platform/Services/services.tsv
COPY scripts/service-certificates /opt/platform/scripts/service-certificates
COPY scripts/lib/common.sh scripts/lib/services.sh /opt/platform/scripts/lib/
COPY Dockerfiles/db-init/ /opt/db-init/scripts/
USER 10001
ENTRYPOINT ["/opt/db-init/scripts/init-databases"]
