# Stand-in for the official rabbitmq management image: Debian's RabbitMQ with the management
# plugin, the default user from RABBITMQ_DEFAULT_USER/_PASS, data in /var/lib/rabbitmq.
ARG BASE_IMAGE=localhost/platform-local-base:latest
FROM ${BASE_IMAGE}
COPY Dockerfiles/local/rabbitmq-entrypoint /usr/local/bin/platform-rabbitmq-entrypoint
ENV HOME=/var/lib/rabbitmq
ENTRYPOINT ["platform-rabbitmq-entrypoint"]
