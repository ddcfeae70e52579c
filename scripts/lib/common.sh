# shellcheck shell=bash disable=SC2034  # variables are for the sourcing scripts
# Helpers shared by the project's scripts. Source it; it sets no shell options,
# so it is safe to source from an interactive shell (scripts/lib/env.sh does).

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LOCAL_DIR="${PLATFORM_LOCAL_DIR:-$ROOT/.local}"

if [[ -t 2 ]]; then
    _LOG_DIM=$'\e[2m' _LOG_YELLOW=$'\e[33m' _LOG_RED=$'\e[31m' _LOG_RESET=$'\e[0m'
else
    _LOG_DIM='' _LOG_YELLOW='' _LOG_RED='' _LOG_RESET=''
fi

log_info()  { printf '%s==>%s %s\n' "$_LOG_DIM" "$_LOG_RESET" "$*" >&2; }
log_warn()  { printf '%swarning:%s %s\n' "$_LOG_YELLOW" "$_LOG_RESET" "$*" >&2; }
log_error() { printf '%serror:%s %s\n' "$_LOG_RED" "$_LOG_RESET" "$*" >&2; }
die()       { log_error "$*"; exit 1; }

# port_open HOST PORT: true when something accepts TCP connections there.
port_open() {
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# wait_for_port HOST PORT TIMEOUT_SECONDS
wait_for_port() {
    local host=$1 port=$2 timeout=$3
    local deadline=$((SECONDS + timeout))
    until port_open "$host" "$port"; do
        ((SECONDS < deadline)) || return 1
        sleep 0.1
    done
}

# wait_until TIMEOUT_SECONDS COMMAND...: polls COMMAND until it succeeds.
wait_until() {
    local timeout=$1; shift
    local deadline=$((SECONDS + timeout))
    until "$@"; do
        ((SECONDS < deadline)) || return 1
        sleep 0.1
    done
}

# elapsed_since START_NANOSECONDS: seconds since then, e.g. "1.27".
elapsed_since() {
    local ns=$(( $(date +%s%N) - $1 ))
    printf '%d.%02d' $((ns / 1000000000)) $((ns % 1000000000 / 10000000))
}

# show_log_tail FILE [LINES]: prints the end of a log file to stderr, if any.
show_log_tail() {
    local file=$1 lines=${2:-30}
    [[ -s $file ]] || return 0
    printf -- '--- last %d lines of %s ---\n' "$lines" "$file" >&2
    tail -n "$lines" "$file" >&2
    printf -- '---\n' >&2
}
