# Stand-in for the official mongo image: the project's MongoDB development server with
# authentication (root from MONGO_INITDB_ROOT_*), data in /data/db, and a `mongosh` that
# answers the health check's ping.
ARG BASE_IMAGE=localhost/platform-local-base:latest
FROM ${BASE_IMAGE}
COPY scripts/mongo-dev/ /opt/mongo-dev/
COPY Dockerfiles/local/mongosh /usr/local/bin/mongosh
ENTRYPOINT ["/opt/venv/bin/python", "/opt/mongo-dev/server.py", "--host", "0.0.0.0", "--port", "27017", "--storage", "sqlite", "--path", "/data/db", "--auth"]
