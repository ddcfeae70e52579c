# Stand-in for the official mariadb image: Debian's MariaDB, same variable, data folder and
# health check command (healthcheck.sh).
ARG BASE_IMAGE=localhost/platform-local-base:latest
FROM ${BASE_IMAGE}
COPY Dockerfiles/local/mariadb-entrypoint /usr/local/bin/platform-mariadb-entrypoint
COPY Dockerfiles/local/mariadb-healthcheck /usr/local/bin/healthcheck.sh
ENTRYPOINT ["platform-mariadb-entrypoint"]
