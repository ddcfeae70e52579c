# Stand-in for the jaeger all-in-one image: OTLP/HTTP in, Jaeger's trace query API out (see
# jaeger-standin), and a `wget` for the health check.
ARG BASE_IMAGE=localhost/platform-local-base:latest
FROM ${BASE_IMAGE}
COPY Tests/e2e/otlp.py /opt/standin/otlp.py
COPY Dockerfiles/local/jaeger-standin /usr/local/bin/jaeger-standin
COPY Dockerfiles/local/wget /usr/local/bin/wget
USER 10001
ENTRYPOINT ["/usr/local/bin/jaeger-standin"]
