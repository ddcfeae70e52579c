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

# start_service NAME BIN_DIR: starts one service detached, its log appended to
# .local/logs/NAME.log and its pid in .local/run/NAME.pid; prints the pid.
start_service() {
    mkdir -p "$LOCAL_DIR/logs" "$LOCAL_DIR/run"
    setsid "$2/$1" >>"$LOCAL_DIR/logs/$1.log" 2>&1 </dev/null &
    echo $! >"$LOCAL_DIR/run/$1.pid"
    echo $!
}

# stop_services: SIGTERM (graceful shutdown), then SIGKILL after 15 s.
stop_services() {
    local name pid pids=()
    for name in "${SERVICES[@]}"; do
        pid="$(service_pid "$name")"
        [[ -n $pid ]] && { kill -TERM "$pid" 2>/dev/null || true; pids+=("$pid"); }
        rm -f "$LOCAL_DIR/run/$name.pid"
    done
    local deadline=$((SECONDS + 15))
    for pid in "${pids[@]}"; do
        while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
}
