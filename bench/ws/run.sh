#!/usr/bin/env bash
# bench/ws/run.sh: the mskanban WebSocket relay (nginx + Redis pub/sub) against
# @y/websocket-server (npm, the reference y-websocket server), same machine, same run,
# same client: CONNS connections in ROOMS rooms, one sender per room sending real Yjs
# updates; p50/p99 sender->receiver latency at RATE messages/s per room, delivered
# messages/s of a burst of BURST per room, server RSS per connection.
#
#   bench/ws/run.sh [BUILDDIR]        (env: CONNS=1000 ROOMS=100 RATE=10 DURATION=10
#                                      BURST=200 WORKERS=1)
#
# The relay's ticket redemption is answered by an nginx stand-in (204 with the identity
# headers), so the core is not measured. WORKERS=1 compares one nginx worker with the
# single-threaded Node.js server. Appends to bench/ws/results-<date>.jsonl.
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
"$SRC/scripts/install-deps.sh" run bench    # Node.js, npm (and what the stack needs)
BUILD=$(cd "${1:-$SRC/build}" && pwd)
MODULE=${MSKANBAN_WS_MODULE:-$BUILD/nginx-module/ngx_http_mskanban_module.so}
CONNS=${CONNS:-1000} ROOMS=${ROOMS:-100} RATE=${RATE:-10} DURATION=${DURATION:-10}
BURST=${BURST:-200} WORKERS=${WORKERS:-1}
[[ -f $MODULE ]] || { echo "no $MODULE: run make first" >&2; exit 1; }
(cd "$SRC/bench/ws" && { [[ -d node_modules ]] || npm ci --no-audit --no-fund --loglevel=error; })

WORK=$(mktemp -d /tmp/mskanban-bench-ws.XXXXXX)
chmod 0755 "$WORK"
OUT=$SRC/bench/ws/results-$(date -u +%Y%m%dT%H%M%SZ).jsonl
free_port() { perl -MIO::Socket::INET -e '$s = IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1", LocalPort => 0, ReuseAddr => 1) or die; print $s->sockport'; }
REDIS_PORT=$(free_port)
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no --daemonize yes \
  --pidfile "$WORK/redis.pid" --logfile "$WORK/redis.log"
NODE_PID=
cleanup() {
  [[ -f $WORK/nginx/nginx.pid ]] && kill -QUIT "$(cat "$WORK/nginx/nginx.pid")" 2>/dev/null || true
  [[ -n $NODE_PID ]] && kill "$NODE_PID" 2>/dev/null || true
  kill "$(cat "$WORK/redis.pid")" 2>/dev/null || true
  sleep 0.5
  rm -rf "$WORK"
}
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)"

client() {
  local url=$1 query=$2 pids=$3
  node "$SRC/bench/ws/client.mjs" "{\"url\":\"$url\",\"query\":\"$query\",\"conns\":$CONNS,\"rooms\":$ROOMS,\"rate\":$RATE,\"seconds\":$DURATION,\"burst\":$BURST,\"pids\":[$pids]}"
}

# --- mskanban: nginx + module + Redis ----------------------------------------------
PORT=$(free_port) AUTH_PORT=$(free_port)
P=$WORK/nginx
mkdir -p "$P"/{logs,tmp}
user=; ((EUID == 0)) && user="user nobody nogroup;"
cat >"$P/nginx.conf" <<CONF
load_module $MODULE;
$user
worker_processes $WORKERS;
worker_rlimit_nofile 65536;
pid $P/nginx.pid;
error_log $P/logs/error.log warn;
events { worker_connections 20000; }
http {
    access_log off;
    client_body_temp_path $P/tmp; fastcgi_temp_path $P/tmp; proxy_temp_path $P/tmp;
    scgi_temp_path $P/tmp; uwsgi_temp_path $P/tmp;
    mskanban_redis_host 127.0.0.1;
    mskanban_redis_port $REDIS_PORT;
    mskanban_ws_max_connections 20000;
    server {
        listen 127.0.0.1:$PORT;
        location ~ ^/api/ws(/[^/]+)?\$ { mskanban_ws; }
        location = /api/internal/ws-redeem {
            internal;
            proxy_pass http://127.0.0.1:$AUTH_PORT;
            proxy_pass_request_body off;
        }
    }
    # stand-in for the core: every ticket is good for the room it names
    server {
        listen 127.0.0.1:$AUTH_PORT;
        location / {
            add_header X-MSKanban-User ubench;
            add_header X-MSKanban-Session sbench;
            add_header X-MSKanban-Workspace wbench;
            add_header X-MSKanban-Board bbench;
            add_header X-MSKanban-Room \$arg_room;
            return 204;
        }
    }
}
CONF
/usr/sbin/nginx -p "$P" -c "$P/nginx.conf"
sleep 1
pids=$(pgrep -P "$(cat "$P/nginx.pid")" | paste -sd, -)
res=$(client "ws://127.0.0.1:$PORT/api/ws/" "?t=benchbenchbenchbenchbenchbenchbenchbenchben" "$pids")
echo "{\"target\":\"mskanban\",\"workers\":$WORKERS,\"result\":$res}" | tee -a "$OUT"
kill -QUIT "$(cat "$P/nginx.pid")"
sleep 1

# --- @y/websocket-server -------------------------------------------------------------
PORT=$(free_port)
HOST=127.0.0.1 PORT=$PORT node "$SRC/bench/ws/node_modules/@y/websocket-server/src/server.js" \
  >"$WORK/yws.log" 2>&1 &
NODE_PID=$!
sleep 1
res=$(client "ws://127.0.0.1:$PORT/" "" "$NODE_PID")
echo "{\"target\":\"@y/websocket-server\",\"result\":$res}" | tee -a "$OUT"
