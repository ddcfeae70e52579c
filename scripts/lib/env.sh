# shellcheck shell=bash
# Connection settings of the native stack (scripts/infra). Source it:
#
#   source scripts/lib/env.sh        # or: eval "$(scripts/infra env)"
#
# It reads the passwords that `scripts/infra provision` wrote to
# .local/secrets.env and exports the URLs the services and tests read.
# Ports can be overridden by setting them before sourcing.

# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
# shellcheck source=services.sh
source "$(dirname "${BASH_SOURCE[0]}")/services.sh"

# shellcheck disable=SC2034  # read by `scripts/infra env`
PLATFORM_ENV_VARS=(
    PLATFORM_LOCAL_DIR
    POSTGRES_PORT MARIADB_PORT RABBITMQ_PORT RABBITMQ_MANAGEMENT_PORT
    MONGO_PORT MONGO_TEST_PORT S3_TEST_PORT
    AMQP_URL
    TEST_POSTGRES_URL TEST_MARIADB_URL TEST_AMQP_URL TEST_MONGO_URL TEST_S3_URL
    TEST_AMQP_RESTART_CMD ADMIN_EMAIL ADMIN_PASSWORD MEDIA_URL_SIGNING_KEY MEDIA_STORAGE MEDIA_SPOOL_DIR
    GATEWAY_CSRF_KEY PLATFORM_SERVICE_KEY
)
for _service in "${SERVICES[@]}"; do
    [[ ${SERVICE_STORE[$_service]} == - ]] || PLATFORM_ENV_VARS+=("${SERVICE_PREFIX[$_service]}_DATABASE_URL")
done
unset _service

_platform_env_load() {
    local secrets="$LOCAL_DIR/secrets.env"
    if [[ ! -r $secrets ]]; then
        echo "env.sh: $secrets not found; run scripts/infra provision first" >&2
        return 1
    fi

    local key value
    local -A pw=()
    while IFS='=' read -r key value; do
        [[ $key =~ ^[A-Z0-9_]+$ ]] && pw[$key]=$value
    done <"$secrets"

    export PLATFORM_LOCAL_DIR="$LOCAL_DIR"
    export POSTGRES_PORT="${POSTGRES_PORT:-5432}"
    export MARIADB_PORT="${MARIADB_PORT:-3306}"
    export RABBITMQ_PORT="${RABBITMQ_PORT:-5672}"
    export RABBITMQ_MANAGEMENT_PORT="${RABBITMQ_MANAGEMENT_PORT:-15672}"
    export MONGO_PORT="${MONGO_PORT:-27017}"
    export MONGO_TEST_PORT="${MONGO_TEST_PORT:-27018}"
    export S3_TEST_PORT="${S3_TEST_PORT:-9190}"

    local url pg="127.0.0.1:$POSTGRES_PORT" my="127.0.0.1:$MARIADB_PORT" mq="127.0.0.1:$RABBITMQ_PORT"
    # Each service's own database (Services/services.tsv), with the password provisioning made.
    local name engine database secret
    for name in "${SERVICES[@]}"; do
        [[ ${SERVICE_STORE[$name]} == - ]] && continue
        engine=${SERVICE_STORE[$name]%%:*} database=${SERVICE_STORE[$name]#*:}
        secret="${engine^^}_${database^^}_PASSWORD"
        case $engine in
            postgres) url="postgresql://$database:${pw[$secret]-}@$pg/$database" ;;
            mariadb) url="mariadb://$database:${pw[$secret]-}@$my/$database" ;;
            mongo) url="mongodb://127.0.0.1:$MONGO_PORT/$database" ;;
        esac
        export "${SERVICE_PREFIX[$name]}_DATABASE_URL=$url"
    done
    export AMQP_URL="amqp://platform:${pw[RABBITMQ_PLATFORM_PASSWORD]-}@$mq/%2F"
    # The first admin, created by the user service at start-up.
    export ADMIN_EMAIL="${ADMIN_EMAIL:-admin@platform.local}"
    export ADMIN_PASSWORD="${ADMIN_PASSWORD:-${pw[PLATFORM_ADMIN_PASSWORD]-}}"
    # Media: objects in a project-local folder, links signed with a provisioned key.
    export MEDIA_URL_SIGNING_KEY="${MEDIA_URL_SIGNING_KEY:-${pw[MEDIA_URL_SIGNING_KEY]-}}"
    export MEDIA_STORAGE="${MEDIA_STORAGE:-local:$LOCAL_DIR/media}"
    export MEDIA_SPOOL_DIR="${MEDIA_SPOOL_DIR:-$LOCAL_DIR/tmp/media}"
    # The gateway: the key of browser sessions' CSRF tokens.
    export GATEWAY_CSRF_KEY="${GATEWAY_CSRF_KEY:-${pw[GATEWAY_CSRF_KEY]-}}"
    # Every service: the key of the tokens by which services prove to one another who calls.
    export PLATFORM_SERVICE_KEY="${PLATFORM_SERVICE_KEY:-${pw[PLATFORM_SERVICE_KEY]-}}"

    export TEST_POSTGRES_URL="postgresql://platform_test:${pw[POSTGRES_PLATFORM_TEST_PASSWORD]-}@$pg/platform_test"
    export TEST_MARIADB_URL="mariadb://platform_test:${pw[MARIADB_PLATFORM_TEST_PASSWORD]-}@$my/platform_test"
    export TEST_AMQP_URL="amqp://platform:${pw[RABBITMQ_PLATFORM_PASSWORD]-}@$mq/platform_test"
    export TEST_MONGO_URL="mongodb://127.0.0.1:$MONGO_TEST_PORT/platform_test"
    # moto accepts any key pair; these are test values, not secrets.
    export TEST_S3_URL="http://test-key:test-secret@127.0.0.1:$S3_TEST_PORT/"
    TEST_AMQP_RESTART_CMD="$(printf '%q' "$ROOT/scripts/infra") restart rabbitmq"
    export TEST_AMQP_RESTART_CMD
}

if _platform_env_load; then
    unset -f _platform_env_load
else
    unset -f _platform_env_load
    # shellcheck disable=SC2317  # reached when run instead of sourced
    return 1 2>/dev/null || exit 1
fi
