# Stand-in for the official postgres image: Debian's PostgreSQL 15, same variables, data folder
# and health check command.
ARG BASE_IMAGE=localhost/platform-local-base:latest
FROM ${BASE_IMAGE}
COPY Dockerfiles/local/postgres-entrypoint /usr/local/bin/platform-postgres-entrypoint
ENV PATH=/usr/lib/postgresql/15/bin:$PATH PGDATA=/var/lib/postgresql/data
ENTRYPOINT ["platform-postgres-entrypoint"]
CMD ["postgres"]
