# Stand-in for the minio image: moto's S3 server on port 9000 (objects in memory), and an `mc`
# that answers the health check (`mc ready local`).
ARG BASE_IMAGE=localhost/platform-local-base:latest
FROM ${BASE_IMAGE}
COPY Dockerfiles/local/mc /usr/local/bin/mc
# minio's arguments (`server /data`) are not moto's: the shell drops them.
ENTRYPOINT ["/bin/sh", "-c", "exec /opt/venv/bin/moto_server -H 0.0.0.0 -p 9000", "minio"]
