# shellcheck shell=bash disable=SC2034
# The ten services of the native stack, read from Services/services.tsv (the one table of names,
# ports and stores that the Swift manifest is checked against): SERVICES in order, and per name
# its environment prefix, HTTP (ops) port, gRPC port and store (`postgres:idm`, or `-`).
SERVICES=()
declare -A SERVICE_PREFIX=() SERVICE_HTTP_PORT=() SERVICE_GRPC_PORT=() SERVICE_STORE=()
while read -r _name _prefix _http _grpc _store _rest; do
    [[ -z $_name || $_name == \#* ]] && continue
    SERVICES+=("$_name")
    SERVICE_PREFIX[$_name]=$_prefix
    SERVICE_HTTP_PORT[$_name]=$_http
    SERVICE_GRPC_PORT[$_name]=$_grpc
    SERVICE_STORE[$_name]=$_store
done <"$ROOT/Services/services.tsv"
unset _name _prefix _http _grpc _store _rest

# service_databases ENGINE: the database names of the services stored on ENGINE (postgres, mariadb, mongo).
service_databases() {
    local name
    for name in "${SERVICES[@]}"; do
        [[ ${SERVICE_STORE[$name]} == "$1":* ]] && echo "${SERVICE_STORE[$name]#*:}"
    done
    return 0
}

# service_pid NAME: the pid of a running service, or nothing.
service_pid() {
    local file="$LOCAL_DIR/run/$1.pid" pid
    [[ -r $file ]] || return 0
    pid="$(<"$file")"
    if kill -0 "$pid" 2>/dev/null; then echo "$pid"; fi
}

# replica_name NAME REPLICA: `user` for the first replica, `user-2` for the second, …
replica_name() {
    if (($2 == 1)); then echo "$1"; else echo "$1-$2"; fi
}

# replica_hosts N: the loopback addresses of N replicas, comma-separated (127.0.0.1,127.0.0.2).
replica_hosts() {
    local i hosts=127.0.0.1
    for ((i = 2; i <= $1; i++)); do hosts+=",127.0.0.$i"; done
    echo "$hosts"
}

# start_service NAME BIN_DIR [REPLICA]: starts one service detached, its log appended to
# .local/logs/NAME.log and its pid in .local/run/NAME.pid; prints the pid. Replica R > 1 binds
# 127.0.0.R (the same ports) and is named NAME-R in those files. PLATFORM_MTLS=1: its gRPC server
# and clients use mutual TLS with its certificate in .local/tls (scripts/service-certificates).
start_service() {
    local replica=${3:-1} label bind=${BIND_HOST:-127.0.0.1}
    label="$(replica_name "$1" "$replica")"
    ((replica == 1)) || bind="127.0.0.$replica"
    mkdir -p "$LOCAL_DIR/logs" "$LOCAL_DIR/run"
    local tls=()
    if [[ ${PLATFORM_MTLS:-0} == 1 ]]; then tls=("GRPC_TLS_DIR=$LOCAL_DIR/tls"); fi
    env BIND_HOST="$bind" "${tls[@]}" setsid "$2/$1" >>"$LOCAL_DIR/logs/$label.log" 2>&1 </dev/null &
    echo $! >"$LOCAL_DIR/run/$label.pid"
    echo $!
}

# stop_services: SIGTERM (graceful shutdown) to every replica, then SIGKILL after 15 s.
stop_services() {
    local name file pid pids=()
    for file in "$LOCAL_DIR"/run/*.pid; do
        name=${file##*/} name=${name%.pid} name=${name%-[0-9]*}
        [[ -e $file && -n ${SERVICE_PREFIX[$name]:-} ]] || continue
        pid="$(<"$file")"
        kill -0 "$pid" 2>/dev/null && { kill -TERM "$pid" 2>/dev/null || true; pids+=("$pid"); }
        rm -f "$file"
    done
    local deadline=$((SECONDS + 15))
    for pid in "${pids[@]}"; do
        while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
}
