#!/usr/bin/env bash
# Several formatlens replicas behind nginx with sticky sessions, on this machine.
#
#   deploy/replicas.sh start [N]    start N replicas (default 2) and nginx in front of them
#   deploy/replicas.sh stop         stop them (by the pids this script recorded)
#   deploy/replicas.sh status       the URL, the replicas and whether they answer
#
# Settings (environment):
#   FORMATLENS_RUN_DIR       where pids, logs and the generated nginx.conf go (default /tmp/formatlens-replicas)
#   FORMATLENS_PROXY_LISTEN  what nginx listens on (default 127.0.0.1:8500)
#   FORMATLENS_REPLICA_BASE  first replica port (default 8601; replica i listens on BASE+i, on 127.0.0.1)
#   FORMATLENS_PYTHON        the Python with formatlens' requirements (default .venv/bin/python, else python3)
# Every FORMATLENS_* limit and FORMATLENS_REMOTE_ALLOW is passed on to the replicas unchanged.
# nginx comes from Debian: apt-get install nginx.
set -euo pipefail
cd "$(dirname "$0")/.."

RUN_DIR="${FORMATLENS_RUN_DIR:-/tmp/formatlens-replicas}"
LISTEN="${FORMATLENS_PROXY_LISTEN:-127.0.0.1:8500}"
BASE="${FORMATLENS_REPLICA_BASE:-8601}"
PYTHON="${FORMATLENS_PYTHON:-}"
if [ -z "$PYTHON" ]; then
    if [ -x .venv/bin/python ]; then PYTHON=.venv/bin/python; else PYTHON=python3; fi
fi
NGINX="${FORMATLENS_NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}"

say() { printf 'replicas: %s\n' "$*" >&2; }

wait_for() {  # url seconds
    local url="$1" deadline=$((SECONDS + $2))
    until "$PYTHON" -c 'import sys, urllib.request; sys.exit(urllib.request.urlopen(sys.argv[1], timeout=2).read() != b"ok")' "$url" 2>/dev/null; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            say "no answer from $url after $2 s"
            return 1
        fi
        sleep 0.5
    done
}

start() {
    local count="${1:-2}"
    if [ ! -x "$NGINX" ]; then
        say "nginx is not installed (apt-get install nginx)"
        exit 1
    fi
    mkdir -p "$RUN_DIR"
    chmod 755 "$RUN_DIR"  # nginx's workers (user nobody) write upload bodies under it
    # One cookie secret for all replicas: Streamlit signs its XSRF cookie with it.
    [ -s "$RUN_DIR/cookie_secret" ] || "$PYTHON" -c 'import secrets; print(secrets.token_hex(32))' >"$RUN_DIR/cookie_secret"
    local secret servers="" i port
    secret="$(cat "$RUN_DIR/cookie_secret")"
    for ((i = 0; i < count; i++)); do
        port=$((BASE + i))
        STREAMLIT_SERVER_COOKIE_SECRET="$secret" "$PYTHON" -m streamlit run app.py \
            --server.port "$port" --server.address 127.0.0.1 --server.headless true \
            >"$RUN_DIR/replica-$i.log" 2>&1 &
        echo $! >"$RUN_DIR/replica-$i.pid"
        servers+="        server 127.0.0.1:$port;"$'\n'
    done
    sed -e "s#@RUN_DIR@#$RUN_DIR#g" -e "s#@LISTEN@#$LISTEN#g" deploy/nginx.conf.template |
        "$PYTHON" -c 'import sys; sys.stdout.write(sys.stdin.read().replace("@SERVERS@\n", sys.argv[1]))' "$servers" \
            >"$RUN_DIR/nginx.conf"
    for ((i = 0; i < count; i++)); do
        wait_for "http://127.0.0.1:$((BASE + i))/_stcore/health" 90
    done
    "$NGINX" -t -q -c "$RUN_DIR/nginx.conf" -p "$RUN_DIR" -e "$RUN_DIR/error.log"
    "$NGINX" -c "$RUN_DIR/nginx.conf" -p "$RUN_DIR" -e "$RUN_DIR/error.log"
    wait_for "http://$LISTEN/_stcore/health" 30
    say "$count replicas behind http://$LISTEN (logs and pids in $RUN_DIR)"
}

stop() {
    if [ -s "$RUN_DIR/nginx.pid" ]; then
        kill "$(cat "$RUN_DIR/nginx.pid")" 2>/dev/null || true
        rm -f "$RUN_DIR/nginx.pid"
    fi
    local pidfile pid
    for pidfile in "$RUN_DIR"/replica-*.pid; do
        [ -e "$pidfile" ] || continue
        pid="$(cat "$pidfile")"
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        kill -9 "$pid" 2>/dev/null || true
        rm -f "$pidfile"
    done
    say "stopped"
}

status() {
    local pidfile
    echo "proxy: http://$LISTEN"
    for pidfile in "$RUN_DIR"/replica-*.pid; do
        [ -e "$pidfile" ] || continue
        if kill -0 "$(cat "$pidfile")" 2>/dev/null; then echo "$(basename "$pidfile" .pid): running"; else echo "$(basename "$pidfile" .pid): gone"; fi
    done
}

case "${1:-}" in
    start) shift; start "$@" ;;
    stop) stop ;;
    status) status ;;
    *) sed -n '2,16p' "$0"; exit 2 ;;
esac
