#!/usr/bin/env bash
# bench/ws/run.sh: the mskanban WebSocket relay (nginx + Redis pub/sub) against
# @y/websocket-server (npm, the reference y-websocket server), same machine, same run,
# same client. Scenarios (env SCENARIOS, default "cpu idle"):
#   cpu   CONNS (1000) connections in ROOMS (100) rooms, one sender per room sending
#         real Yjs updates at RATE (20) messages/s per room (2,000/s in all) for
#         DURATION (10) s: the servers' utime+stime (/proc/<pid>/stat) per delivery,
#         p50/p99 sender->receiver latency; then BURST (200) per room back to back;
#   idle  IDLE_CONNS (10000) connections in IDLE_CONNS/10 rooms, nothing sent: server
#         RSS per idle connection.
#
#   bash bench/ws/run.sh [BUILDDIR]        (env: WORKERS=1, and the above)
#
# The relay's ticket redemption is answered by an nginx stand-in (204 with the identity
# headers), so the core is not measured. WORKERS=1 compares one nginx worker with the
# single-threaded Node.js server. Appends to bench/ws/results-<date>.jsonl.
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
"$SRC/scripts/install-deps.sh" run bench    # Node.js, npm (and what the stack needs)
BUILD=$(cd "${1:-$SRC/build}" && pwd)
MODULE=${MSKANBAN_WS_MODULE:-$BUILD/nginx-module/ngx_http_mskanban_module.so}
CONNS=${CONNS:-1000} ROOMS=${ROOMS:-100} RATE=${RATE:-20} DURATION=${DURATION:-10}
BURST=${BURST:-200} WORKERS=${WORKERS:-1} IDLE_CONNS=${IDLE_CONNS:-10000}
SCENARIOS=${SCENARIOS:-cpu idle}
HZ=$(getconf CLK_TCK)
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
ulimit -Hn "$(cat /proc/sys/fs/nr_open)" 2>/dev/null || true
ulimit -n "$(ulimit -Hn)"
NOFILE=$(ulimit -n)

# client URL QUERY PIDS REDIS_PIDS CONNS ROOMS RATE SECONDS BURST
client() {
  node "$SRC/bench/ws/client.mjs" "{\"url\":\"$1\",\"query\":\"$2\",\"pids\":[$3],\"redisPids\":[$4],\"conns\":$5,\"rooms\":$6,\"rate\":$7,\"seconds\":$8,\"burst\":$9,\"hz\":$HZ}"
}
record() {   # record TARGET SCENARIO RESULT
  echo "{\"target\":\"$1\",\"scenario\":\"$2\",\"workers\":$WORKERS,\"load\":\"$(cut -d' ' -f1-3 /proc/loadavg)\",\"result\":$3}" | tee -a "$OUT"
}

# --- mskanban: nginx + module + Redis ----------------------------------------------
run_mskanban() {   # run_mskanban SCENARIO CONNS ROOMS RATE SECONDS BURST
  local port auth p=$WORK/nginx user= pids res
  port=$(free_port) auth=$(free_port)
  rm -rf "$p"; mkdir -p "$p"/{logs,tmp}
  ((EUID == 0)) && user="user nobody nogroup;"
  cat >"$p/nginx.conf" <<CONF
load_module $MODULE;
$user
worker_processes $WORKERS;
worker_rlimit_nofile $NOFILE;
pid $p/nginx.pid;
error_log $p/logs/error.log warn;
events { worker_connections $(($2 + 2000)); }
http {
    access_log off;
    client_body_temp_path $p/tmp; fastcgi_temp_path $p/tmp; proxy_temp_path $p/tmp;
    scgi_temp_path $p/tmp; uwsgi_temp_path $p/tmp;
    mskanban_redis_host 127.0.0.1;
    mskanban_redis_port $REDIS_PORT;
    mskanban_ws_max_connections $(($2 + 1000));
    server {
        listen 127.0.0.1:$port backlog=8192;
        location ~ ^/api/ws(/[^/]+)?\$ { mskanban_ws; }
        location = /api/internal/ws-redeem {
            internal;
            proxy_pass http://127.0.0.1:$auth;
            proxy_pass_request_body off;
        }
    }
    # stand-in for the core: every ticket is good for the room it names
    server {
        listen 127.0.0.1:$auth;
        location / {
            add_header X-MSKanban-User ubench;
            add_header X-MSKanban-Session sbench;
            add_header X-MSKanban-Workspace wbench;
            add_header X-MSKanban-Board bbench;
            add_header X-MSKanban-Room \$arg_room;
            add_header X-MSKanban-Role member;
            add_header X-MSKanban-Session-Expires $(($(date +%s) + 86400));
            return 204;
        }
    }
}
CONF
  /usr/sbin/nginx -p "$p" -c "$p/nginx.conf"
  sleep 1
  pids=$(pgrep -P "$(cat "$p/nginx.pid")" | paste -sd, -)
  res=$(client "ws://127.0.0.1:$port/api/ws/" "?t=benchbenchbenchbenchbenchbenchbenchbenchben" "$pids" \
        "$(cat "$WORK/redis.pid")" "$2" "$3" "$4" "$5" "$6") \
    || { echo "mskanban $1: $res" >&2; tail -5 "$p/logs/error.log" >&2; }
  record mskanban "$1" "$res"
  kill -QUIT "$(cat "$p/nginx.pid")"
  sleep 1
}

# --- @y/websocket-server -------------------------------------------------------------
run_yws() {   # run_yws SCENARIO CONNS ROOMS RATE SECONDS BURST
  local port res
  port=$(free_port)
  HOST=127.0.0.1 PORT=$port node "$SRC/bench/ws/node_modules/@y/websocket-server/src/server.js" \
    >"$WORK/yws.log" 2>&1 &
  NODE_PID=$!
  sleep 1
  res=$(client "ws://127.0.0.1:$port/" "" "$NODE_PID" "" "$2" "$3" "$4" "$5" "$6") \
    || { echo "y-websocket $1: $res" >&2; }
  record @y/websocket-server "$1" "$res"
  kill "$NODE_PID"; wait "$NODE_PID" 2>/dev/null || true
  NODE_PID=
}

echo "results: $OUT (fd limit $NOFILE, load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
for scenario in $SCENARIOS; do
  case $scenario in
    cpu) args=(cpu "$CONNS" "$ROOMS" "$RATE" "$DURATION" "$BURST") ;;
    idle) args=(idle "$IDLE_CONNS" $((IDLE_CONNS / 10)) 0 0 0) ;;
    *) echo "unknown scenario $scenario" >&2; exit 2 ;;
  esac
  run_mskanban "${args[@]}"
  run_yws "${args[@]}"
done

perl -MJSON::PP -ne '
  my $r = decode_json($_); my $x = $r->{result}; my $s = $x->{steady};
  printf "%-20s %-4s %6d conns  %6.2f KiB/conn  %s us CPU/delivery (Redis %s)  %d/%d delivered  p50 %s p99 %s ms  load %s\n",
    $r->{target}, $r->{scenario}, $x->{conns}, $x->{rssPerConnKiB}, $s->{cpuUsPerDelivery} // "-",
    $s->{redisCpuUsPerDelivery} // "-", $s->{delivered}, $s->{expected}, $s->{p50ms} // "-", $s->{p99ms} // "-",
    $r->{load};' "$OUT"
