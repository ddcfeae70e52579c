# shellcheck shell=bash disable=SC2034
# The ten services of the native stack: name, HTTP port (ops endpoints), gRPC port.
# Ports are the defaults of DESIGN.md and of each service's descriptor.
SERVICES=(gateway idm auth user media product payment analytics client event)
declare -A SERVICE_HTTP_PORT=(
    [gateway]=5000 [idm]=9101 [auth]=9102 [user]=8002 [media]=9104
    [product]=9105 [payment]=9106 [analytics]=9107 [client]=8000 [event]=8001
)
declare -A SERVICE_GRPC_PORT=(
    [gateway]=50050 [idm]=50051 [auth]=50052 [user]=50053 [media]=50054
    [product]=50055 [payment]=50056 [analytics]=50057 [client]=50058 [event]=50059
)

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
