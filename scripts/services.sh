#!/usr/bin/env bash
# Make sure PostgreSQL, Redis and RabbitMQ answer at the URLs the app will use.
#
#   scripts/services.sh up       use what answers; start project-local servers for the rest
#   scripts/services.sh down     stop only what `up` started (listed in var/services.started)
#   scripts/services.sh status   print the state of each service
#
# URLs (the same variables the app reads):
#   DATABASE_URL  default postgres://postgres@127.0.0.1:5432/arh
#   REDIS_URL     default redis://127.0.0.1:6379/0
#   AMQP_URL      default amqp://guest:guest@127.0.0.1:5672/
#
# A server that already answers is used as it is, whoever runs it. One that
# does not answer, on 127.0.0.1/localhost/::1, is started from the installed
# binaries with its data under var/ (var/pg, var/redis, var/rabbitmq) on the
# URL's port; the binaries are installed with apt-get if missing. A remote
# server that does not answer is an error: we never start things elsewhere.
#
# Knobs: SERVICES_TIMEOUT (seconds to wait for each server, default 60),
#        RABBITMQ_DIST_PORT (Erlang distribution port of a local broker;
#        default AMQP port + 20000, or - 20000 when that would pass 65535).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VAR="$ROOT/var"
STARTED="$VAR/services.started"
HELPER="$ROOT/scripts/svcurl.py"
PYTHON="${PYTHON:-python3}"
TIMEOUT="${SERVICES_TIMEOUT:-60}"

DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/arh}"
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
AMQP_URL="${AMQP_URL:-amqp://guest:guest@127.0.0.1:5672/}"

log() { echo "services: $*" >&2; }
die() { echo "services: ERROR: $*" >&2; exit 1; }

is_root() { [[ $(id -u) -eq 0 ]]; }
is_local() { [[ "$1" == 127.0.0.1 || "$1" == localhost || "$1" == ::1 ]]; }

# parse_url URL -> URL_HOST URL_PORT URL_USER URL_PASSWORD URL_PATH URL_SCHEME
parse_url() {
    local out
    out=$("$PYTHON" "$HELPER" parse "$1") || die "cannot parse URL: $1"
    eval "$out"
}

recorded() { [[ -f "$STARTED" ]] && grep -q "^$1 " "$STARTED"; }
record() {
    mkdir -p "$VAR"
    touch "$STARTED"
    grep -v "^$1 " "$STARTED" >"$STARTED.tmp" || true
    echo "$*" >>"$STARTED.tmp"
    mv "$STARTED.tmp" "$STARTED"
}
unrecord() {
    [[ -f "$STARTED" ]] || return 0
    grep -v "^$1 " "$STARTED" >"$STARTED.tmp" || true
    mv "$STARTED.tmp" "$STARTED"
    [[ -s "$STARTED" ]] || rm -f "$STARTED"
}
# A service keeps one project-local instance (one data dir under var/). If
# the URL moved to another port while the old instance still runs, say so.
check_no_other_instance() {
    local name=$1 want=$2 field=$3 have
    have=$(recorded_field "$name" "$field")
    if [[ -n "$have" && "$have" != "$want" ]]; then
        die "a project-local $name started earlier is recorded for '$have', not '$want'; run 'scripts/services.sh down' first"
    fi
    return 0
}
recorded_field() {
    [[ -f "$STARTED" ]] || return 0
    awk -v k="$1" -v n="$2" '$1 == k { v = $n } END { print v }' "$STARTED"
}

apt_install() {
    is_root || die "$1 is not installed and we are not root; install it: apt-get install $*"
    log "installing $* with apt-get"
    local logf
    logf=$(mktemp -t arh-services-apt.XXXXXX)
    if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"; } >"$logf" 2>&1; then
        tail -n 30 "$logf" >&2
        rm -f "$logf"
        die "apt-get install $* failed"
    fi
    rm -f "$logf"
}

# wait_for NAME CHECK-FUNCTION [VAR] : poll until it succeeds or TIMEOUT passes;
# VAR names a variable where the check leaves its last complaint.
wait_for() {
    local name=$1 check=$2 msgvar=${3:-} deadline=$((SECONDS + TIMEOUT))
    while ! "$check" 2>/dev/null; do
        if ((SECONDS >= deadline)); then
            local why=""
            [[ -n "$msgvar" ]] && why=" (last answer: ${!msgvar:-none})"
            die "$name did not answer within ${TIMEOUT}s$why; see its log under var/"
        fi
        sleep 0.5
    done
}

# ----------------------------------------------------------------- PostgreSQL

PG_DIR="$VAR/pg"
PG_DATA="$PG_DIR/data"
PG_RUN="$PG_DIR/run"
PG_LOG="$PG_DIR/postgres.log"

pg_env() {
    parse_url "$DATABASE_URL"
    PG_HOST=$URL_HOST PG_PORT=$URL_PORT
    PG_USER=${URL_USER:-postgres} PG_PASSWORD=$URL_PASSWORD
    PG_DB=${URL_PATH%%\?*}
    PG_DB=${PG_DB:-arh}
}

pg_bindir() {
    local initdb
    initdb=$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1)
    [[ -n "$initdb" ]] && dirname "$initdb"
}

pg_answers() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -t 2; }

# as_pg CMD... : run a server command as the postgres system user when root
# (initdb and postgres refuse to run as root).
as_pg() {
    if is_root; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

pg_start_local() {
    local bindir
    bindir=$(pg_bindir) || true
    if [[ -z "$bindir" ]] || ! command -v pg_isready >/dev/null; then
        apt_install postgresql
        # Debian's package creates and starts a cluster on 5432: that may be ours.
        if pg_answers; then
            log "postgres: the packaged cluster answers on $PG_HOST:$PG_PORT"
            return 0
        fi
        bindir=$(pg_bindir) || die "postgresql installed but no initdb found under /usr/lib/postgresql"
    fi
    check_no_other_instance postgres "$PG_PORT" 2
    mkdir -p "$PG_DIR" "$PG_RUN"
    if is_root; then
        id postgres >/dev/null 2>&1 || die "no 'postgres' system user to run PostgreSQL as"
        chown postgres:postgres "$PG_DIR" "$PG_RUN"
        runuser -u postgres -- test -w "$PG_DIR" ||
            die "user postgres cannot write $PG_DIR (is a parent directory closed to it?)"
    fi
    if [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
        log "postgres: initdb $PG_DATA"
        as_pg "$bindir/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
            >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log" >&2; die "initdb failed"; }
    fi
    log "postgres: starting local instance on $PG_HOST:$PG_PORT (data $PG_DATA)"
    # A development/test instance: fsync off makes migrations and test
    # suites much faster; a crash of the machine may cost this data, which
    # `make run` can seed again. Production databases are never started here.
    as_pg "$bindir/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t "$TIMEOUT" \
        -o "-p $PG_PORT -k $PG_RUN -c listen_addresses=$PG_HOST -c fsync=off -c full_page_writes=off" \
        start >/dev/null 9>&- || { tail -n 20 "$PG_LOG" >&2; die "PostgreSQL did not start on port $PG_PORT"; }
    record postgres "$PG_PORT" "$PG_DATA" "$bindir"
}

# psql against the URL's server, as the given role, on the given database
pg_psql() {
    local role=$1 db=$2
    shift 2
    PGPASSWORD="$PG_PASSWORD" PGCONNECT_TIMEOUT=5 psql -X -q -v ON_ERROR_STOP=1 \
        -h "$PG_HOST" -p "$PG_PORT" -U "$role" -d "$db" "$@"
}

sql_literal() { printf "'%s'" "${1//\'/\'\'}"; }
sql_ident() { printf '"%s"' "${1//\"/\"\"}"; }

pg_ensure_db() {
    # The role: on a local instance we own, create it if the URL names another one.
    if ! pg_psql "$PG_USER" postgres -tAc 'select 1' >/dev/null 2>&1; then
        if recorded postgres && [[ "$PG_USER" != postgres ]]; then
            log "postgres: creating role $PG_USER"
            local pw=""
            [[ -n "$PG_PASSWORD" ]] && pw=" PASSWORD $(sql_literal "$PG_PASSWORD")"
            pg_psql postgres postgres -c "CREATE ROLE $(sql_ident "$PG_USER") LOGIN CREATEDB$pw" >/dev/null
        else
            pg_psql "$PG_USER" postgres -tAc 'select 1' >/dev/null ||
                die "PostgreSQL at $PG_HOST:$PG_PORT answers but refuses user '$PG_USER' (check DATABASE_URL)"
        fi
    fi
    local exists
    exists=$(pg_psql "$PG_USER" postgres -tAc "select 1 from pg_database where datname = $(sql_literal "$PG_DB")") ||
        die "cannot query PostgreSQL at $PG_HOST:$PG_PORT as '$PG_USER'"
    if [[ "$exists" != 1 ]]; then
        log "postgres: creating database $PG_DB"
        pg_psql "$PG_USER" postgres -c "CREATE DATABASE $(sql_ident "$PG_DB")" >/dev/null ||
            die "could not create database '$PG_DB' as '$PG_USER'"
    fi
}

pg_up() {
    pg_env
    if ! pg_answers; then
        is_local "$PG_HOST" || die "PostgreSQL at $PG_HOST:$PG_PORT does not answer (DATABASE_URL); it is not local, so start it there"
        pg_start_local
        wait_for "PostgreSQL on $PG_HOST:$PG_PORT" pg_answers
    fi
    pg_ensure_db
}

pg_down() {
    local data bindir
    data=$(recorded_field postgres 3)
    bindir=$(recorded_field postgres 4)
    if [[ -n "$data" && -f "$data/postmaster.pid" ]]; then
        log "postgres: stopping local instance ($data)"
        as_pg "$bindir/pg_ctl" -D "$data" -m fast -w -t "$TIMEOUT" stop >/dev/null ||
            die "pg_ctl stop failed for $data"
    fi
    unrecord postgres
}

pg_status() {
    pg_env
    local state="down" who=""
    pg_answers && state="up"
    recorded postgres && who=" (local instance, $PG_DATA)"
    printf '%-10s %-24s %s%s\n' postgres "$PG_HOST:$PG_PORT/$PG_DB" "$state" "$who"
    [[ $state == up ]]
}

# ---------------------------------------------------------------------- Redis

REDIS_DIR="$VAR/redis"

redis_env() {
    parse_url "$REDIS_URL"
    RD_HOST=$URL_HOST RD_PORT=$URL_PORT RD_USER=$URL_USER RD_PASSWORD=$URL_PASSWORD
}

# 0 = PONG; 1 = nothing answers; 2 = answers but refuses (auth, ...)
# (not `redis-cli -u`: it sends AUTH with an empty user name for redis://:pw@host,
# where redis-py, like the server's default user, wants a plain AUTH pw)
redis_probe() {
    local out args=(-h "$RD_HOST" -p "$RD_PORT")
    [[ -n "$RD_USER" ]] && args+=(--user "$RD_USER")
    [[ -n "$RD_PASSWORD" ]] && args+=(-a "$RD_PASSWORD" --no-auth-warning)
    if ! command -v redis-cli >/dev/null; then
        REDIS_PROBE_MSG="redis-cli is not installed"
        [[ -n "$(redis_tcp_open)" ]] && return 2
        return 1
    fi
    out=$(timeout 5 redis-cli "${args[@]}" ping 2>&1) || true
    [[ "$out" == PONG ]] && return 0
    REDIS_PROBE_MSG=${out//$'\n'/ }
    [[ "$out" == *"Could not connect"* || "$out" == *"Connection refused"* || -z "$out" ]] && return 1
    return 2
}
redis_tcp_open() { "$PYTHON" -c "import socket,sys; socket.create_connection(('$RD_HOST', $RD_PORT), 2); print(1)" 2>/dev/null || true; }
redis_answers() { redis_probe; }

redis_up() {
    redis_env
    local rc=0
    redis_probe || rc=$?
    ((rc == 0)) && return 0
    ((rc == 2)) && die "Redis at $RD_HOST:$RD_PORT answers but not to us: ${REDIS_PROBE_MSG:-?} (check REDIS_URL)"
    is_local "$RD_HOST" || die "Redis at $RD_HOST:$RD_PORT does not answer (REDIS_URL); it is not local, so start it there"
    if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
        apt_install redis-server
        redis_probe && { log "redis: the packaged server answers on $RD_HOST:$RD_PORT"; return 0; }
    fi
    check_no_other_instance redis "$RD_PORT" 2
    mkdir -p "$REDIS_DIR"
    local args=(--port "$RD_PORT" --bind "$RD_HOST" --dir "$REDIS_DIR" --daemonize yes
        --save "" --appendonly no
        --pidfile "$REDIS_DIR/redis-$RD_PORT.pid" --logfile "$REDIS_DIR/redis-$RD_PORT.log")
    [[ -n "$RD_PASSWORD" ]] && args+=(--requirepass "$RD_PASSWORD")
    log "redis: starting local instance on $RD_HOST:$RD_PORT (dir $REDIS_DIR)"
    redis-server "${args[@]}" >/dev/null 9>&- || die "redis-server did not start on port $RD_PORT"
    record redis "$RD_PORT" "$REDIS_DIR/redis-$RD_PORT.pid"
    wait_for "Redis on $RD_HOST:$RD_PORT" redis_answers REDIS_PROBE_MSG
}

redis_down() {
    local pidfile pid
    pidfile=$(recorded_field redis 3)
    if [[ -n "$pidfile" && -f "$pidfile" ]]; then
        pid=$(cat "$pidfile")
        if kill -0 "$pid" 2>/dev/null; then
            log "redis: stopping local instance (pid $pid)"
            kill -TERM "$pid"
            local deadline=$((SECONDS + TIMEOUT))
            while kill -0 "$pid" 2>/dev/null; do
                ((SECONDS < deadline)) || die "redis (pid $pid) did not stop"
                sleep 0.2
            done
        fi
        rm -f "$pidfile"
    fi
    unrecord redis
}

redis_status() {
    redis_env
    local state="down" who="" rc=0
    redis_probe || rc=$?
    ((rc == 0)) && state="up"
    ((rc == 2)) && state="answers but refuses: ${REDIS_PROBE_MSG:-?}"
    recorded redis && who=" (local instance, $REDIS_DIR)"
    printf '%-10s %-24s %s%s\n' redis "$RD_HOST:$RD_PORT" "$state" "$who"
    ((rc == 0))
}

# ------------------------------------------------------------------- RabbitMQ

MQ_DIR="$VAR/rabbitmq"

mq_env() {
    parse_url "$AMQP_URL"
    MQ_HOST=$URL_HOST MQ_PORT=$URL_PORT
    MQ_USER=${URL_USER:-guest} MQ_PASSWORD=${URL_PASSWORD:-guest}
    MQ_VHOST=${URL_PATH:-/}
    if [[ -n "${RABBITMQ_DIST_PORT:-}" ]]; then
        MQ_DIST_PORT=$RABBITMQ_DIST_PORT
    elif ((MQ_PORT + 20000 <= 65535)); then
        MQ_DIST_PORT=$((MQ_PORT + 20000))
    else
        MQ_DIST_PORT=$((MQ_PORT - 20000))
    fi
    MQ_NODE="arh${MQ_PORT}@localhost"
    # RabbitMQ wants an IP address to listen on, not a host name
    MQ_BIND=$MQ_HOST
    [[ "$MQ_BIND" == localhost ]] && MQ_BIND=127.0.0.1
    return 0
}

mq_probe() {
    MQ_PROBE_MSG=$("$PYTHON" "$HELPER" amqp-ping "$AMQP_URL" 3 2>&1)
}
mq_answers() { mq_probe; }

mq_bin() {
    # Debian's /usr/sbin wrappers switch to the rabbitmq user and its cookie in
    # /var/lib/rabbitmq; we want our own node, files and cookie under var/.
    local name=$1
    if [[ -x /usr/lib/rabbitmq/bin/$name ]]; then
        echo "/usr/lib/rabbitmq/bin/$name"
    else
        command -v "$name"
    fi
}

# Environment for rabbitmq-server / rabbitmqctl against the project-local node.
# The Erlang cookie is var/rabbitmq/.erlang.cookie (HOME points there), so the
# CLI tools only reach this node with the same HOME.
mq_local_env() {
    export HOME="$MQ_DIR"
    export RABBITMQ_NODENAME="$MQ_NODE"
    export RABBITMQ_NODE_IP_ADDRESS="$MQ_BIND"
    export RABBITMQ_NODE_PORT="$MQ_PORT"
    export RABBITMQ_DIST_PORT="$MQ_DIST_PORT"
    export RABBITMQ_MNESIA_BASE="$MQ_DIR/mnesia"
    export RABBITMQ_LOG_BASE="$MQ_DIR/log"
    export RABBITMQ_CONFIG_FILE="$MQ_DIR/rabbitmq.conf"
    export RABBITMQ_CONF_ENV_FILE="$MQ_DIR/rabbitmq-env.conf"
    export RABBITMQ_ENABLED_PLUGINS_FILE="$MQ_DIR/enabled_plugins"
    export RABBITMQ_PID_FILE="$MQ_DIR/$MQ_NODE.pid"
    export ERL_EPMD_ADDRESS=127.0.0.1
    # keep Erlang distribution on loopback too (it listens on all addresses by default)
    export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}

epmd_running() { command -v epmd >/dev/null && epmd -names >/dev/null 2>&1; }

mq_ctl() { (mq_local_env && "$(mq_bin rabbitmqctl)" -q -n "$MQ_NODE" "$@"); }

mq_up() {
    mq_env
    local rc=0
    mq_probe || rc=$?
    ((rc == 0)) && return 0
    if ((rc == 2)); then
        # Our own node may just lack the URL's user or vhost (first run after a URL change).
        if recorded rabbitmq && [[ "$(recorded_field rabbitmq 2)" == "$MQ_NODE" ]]; then
            mq_grant && mq_probe && return 0
        fi
        die "RabbitMQ at $MQ_HOST:$MQ_PORT answers but not to us: $MQ_PROBE_MSG (check AMQP_URL)"
    fi
    is_local "$MQ_HOST" || die "RabbitMQ at $MQ_HOST:$MQ_PORT does not answer (AMQP_URL); it is not local, so start it there"
    if [[ -z "$(mq_bin rabbitmq-server 2>/dev/null)" ]]; then
        apt_install rabbitmq-server
        mq_probe && { log "rabbitmq: the packaged broker answers on $MQ_HOST:$MQ_PORT"; return 0; }
    fi
    check_no_other_instance rabbitmq "$MQ_NODE" 2
    mkdir -p "$MQ_DIR/mnesia" "$MQ_DIR/log"
    if [[ ! -s "$MQ_DIR/.erlang.cookie" ]]; then
        (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$MQ_DIR/.erlang.cookie")
        chmod 400 "$MQ_DIR/.erlang.cookie"
    fi
    cat >"$MQ_DIR/rabbitmq.conf" <<EOF
# written by scripts/services.sh for the project-local broker
listeners.tcp.default = $MQ_BIND:$MQ_PORT
loopback_users.guest = true
disk_free_limit.absolute = 50MB
EOF
    : >"$MQ_DIR/rabbitmq-env.conf"
    echo '[].' >"$MQ_DIR/enabled_plugins"
    local epmd_was_running=1
    epmd_running || epmd_was_running=0
    rm -f "$MQ_DIR/erl_crash.dump"
    log "rabbitmq: starting local node $MQ_NODE on $MQ_HOST:$MQ_PORT (dist port $MQ_DIST_PORT, data $MQ_DIR)"
    (mq_local_env && cd "$MQ_DIR" && "$(mq_bin rabbitmq-server)" -detached >"$MQ_DIR/log/startup.log" 2>&1 9>&-) ||
        { tail -n 20 "$MQ_DIR/log/startup.log" >&2; die "rabbitmq-server did not start"; }
    record rabbitmq "$MQ_NODE" "$MQ_PORT" "$epmd_was_running"
    local deadline=$((SECONDS + TIMEOUT))
    while ! mq_ctl await_startup --timeout 5 >/dev/null 2>&1; do
        if [[ -f "$MQ_DIR/erl_crash.dump" ]]; then
            grep -m1 '^Slogan' "$MQ_DIR/erl_crash.dump" 2>/dev/null | cut -c1-600 >&2 || true
            unrecord rabbitmq
            die "RabbitMQ node $MQ_NODE crashed while starting (logs in $MQ_DIR/log, dump $MQ_DIR/erl_crash.dump)"
        fi
        if ((SECONDS >= deadline)); then
            tail -n 20 "$MQ_DIR/log/$MQ_NODE.log" >&2 2>/dev/null || true
            die "RabbitMQ node $MQ_NODE did not start within ${TIMEOUT}s (logs in $MQ_DIR/log)"
        fi
        sleep 1
    done
    mq_grant
    wait_for "RabbitMQ on $MQ_HOST:$MQ_PORT" mq_answers MQ_PROBE_MSG
}

# Create the URL's vhost and user on our local node when they are not the defaults.
mq_grant() {
    if [[ "$MQ_VHOST" != / ]]; then
        mq_ctl list_vhosts name 2>/dev/null | grep -qxF "$MQ_VHOST" || mq_ctl add_vhost "$MQ_VHOST" >/dev/null
    fi
    if [[ "$MQ_USER" != guest ]]; then
        if ! mq_ctl list_users 2>/dev/null | awk '{print $1}' | grep -qxF "$MQ_USER"; then
            mq_ctl add_user "$MQ_USER" "$MQ_PASSWORD" >/dev/null
            mq_ctl set_user_tags "$MQ_USER" administrator >/dev/null
        fi
    fi
    mq_ctl set_permissions -p "$MQ_VHOST" "$MQ_USER" '.*' '.*' '.*' >/dev/null
}

mq_down() {
    local node port epmd_was_running
    node=$(recorded_field rabbitmq 2)
    port=$(recorded_field rabbitmq 3)
    epmd_was_running=$(recorded_field rabbitmq 4)
    if [[ -n "$node" ]]; then
        MQ_NODE=$node MQ_PORT=$port MQ_HOST=127.0.0.1 MQ_BIND=127.0.0.1 MQ_DIST_PORT=0
        log "rabbitmq: stopping local node $node"
        # With the pid file, `stop` waits until the Erlang VM has exited.
        if [[ -f "$MQ_DIR/$node.pid" ]] && kill -0 "$(cat "$MQ_DIR/$node.pid")" 2>/dev/null; then
            mq_ctl stop "$MQ_DIR/$node.pid" >/dev/null 2>&1 || {
                local pid
                pid=$(cat "$MQ_DIR/$node.pid")
                log "rabbitmq: rabbitmqctl stop failed; sending TERM to pid $pid"
                kill -TERM "$pid" 2>/dev/null || true
                sleep 3
            }
        fi
        rm -f "$MQ_DIR/$node.pid"
        # epmd is started on demand by the first Erlang node and outlives it.
        # Stop it only if we started it and no other node uses it.
        if [[ "$epmd_was_running" == 0 ]] && epmd_running; then
            if ! epmd -names 2>/dev/null | grep -q '^name '; then
                epmd -kill >/dev/null 2>&1 || true
            fi
        fi
    fi
    unrecord rabbitmq
}

mq_status() {
    mq_env
    local state="down" who="" rc=0
    mq_probe || rc=$?
    ((rc == 0)) && state="up"
    ((rc == 2)) && state="answers but refuses: $MQ_PROBE_MSG"
    recorded rabbitmq && who=" (local node $(recorded_field rabbitmq 2), $MQ_DIR)"
    printf '%-10s %-24s %s%s\n' rabbitmq "$MQ_HOST:$MQ_PORT" "$state" "$who"
    ((rc == 0))
}

# ----------------------------------------------------------------------- main

# Serialise up/down (make targets may run in parallel). The servers we start
# must not inherit fd 9, or they would hold the lock for their whole life:
# every daemon start above closes it with 9>&-.
with_lock() {
    mkdir -p "$VAR"
    exec 9>"$VAR/services.lock"
    flock -w "$((TIMEOUT * 3))" 9 || die "another scripts/services.sh holds $VAR/services.lock"
}

cmd=${1:-}
case "$cmd" in
up)
    with_lock
    pg_up
    redis_up
    mq_up
    pg_status >&2 || true
    redis_status >&2 || true
    mq_status >&2 || true
    ;;
down)
    with_lock
    if [[ ! -f "$STARTED" ]]; then
        log "nothing was started by services.sh; nothing to stop"
        exit 0
    fi
    rc=0
    (mq_down) || rc=1
    (redis_down) || rc=1
    (pg_down) || rc=1
    exit $rc
    ;;
status)
    rc=0
    pg_status || rc=1
    redis_status || rc=1
    mq_status || rc=1
    exit $rc
    ;;
*)
    echo "usage: $0 up|down|status" >&2
    exit 64
    ;;
esac
