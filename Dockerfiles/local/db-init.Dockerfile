# db-init for scripts/test-containers: Dockerfiles/db-init.Dockerfile's script on the local base
# (which already has the PostgreSQL and MariaDB clients and pymongo in /opt/venv), and the
# certificate maker docker-compose.mtls.yml runs.
ARG BASE_IMAGE=localhost/platform-local-base:latest
FROM ${BASE_IMAGE}
ENV DB_INIT_PYTHON=/opt/venv/bin/python
COPY Services/services.tsv /etc/platform/services.tsv
COPY Services/services.tsv /opt/platform/Services/services.tsv
COPY scripts/service-certificates /opt/platform/scripts/service-certificates
COPY scripts/lib/common.sh scripts/lib/services.sh /opt/platform/scripts/lib/
COPY Dockerfiles/db-init/ /opt/db-init/scripts/
RUN mkdir -p /var/lib/platform-tls && chown 10001 /var/lib/platform-tls
USER 10001
ENTRYPOINT ["/opt/db-init/scripts/init-databases"]
