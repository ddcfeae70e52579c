# db-init for scripts/test-containers: Dockerfiles/db-init.Dockerfile's script on the local base
# (which already has the PostgreSQL and MariaDB clients and pymongo in /opt/venv).
ARG BASE_IMAGE=localhost/platform-local-base:latest
FROM ${BASE_IMAGE}
ENV DB_INIT_PYTHON=/opt/venv/bin/python
COPY Services/services.tsv /etc/platform/services.tsv
COPY Dockerfiles/db-init/ /opt/db-init/scripts/
USER 10001
ENTRYPOINT ["/opt/db-init/scripts/init-databases"]
