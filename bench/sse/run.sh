#!/usr/bin/env bash
# bench/sse/run.sh: ngx_http_mskanban_module against nchan (Debian's
# libnginx-mod-nchan; memory store, and Redis with nchan_redis_storage_mode nostore),
# same machine, same run, same nginx settings (2 workers, sndbuf, send_timeout).
# For each of 1k, 5k and 10k subscribers on one channel: publish->delivery latency of
# single ticks, delivered ticks/s of a burst, nginx RSS per subscriber.
#
#   bench/sse/run.sh [BUILDDIR] [COUNTS...]     (default: build 1000 5000 10000)
#
# The module's authorization is answered by a local nginx stand-in (204 with the
# identity headers), so both sides are measured without the FastCGI core; nchan has no
# authorization here. Writes bench/sse/results-<date>.jsonl and prints a table.
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
"$SRC/scripts/install-deps.sh" run bench    # Node.js, and nchan to compare with
BUILD=$(cd "${1:-$SRC/build}" && pwd); shift || true
COUNTS=("${@:-1000 5000 10000}")
read -r -a COUNTS <<<"${COUNTS[*]}"
MODULE=$BUILD/nginx-module/ngx_http_mskanban_module.so
NCHAN=/usr/lib/nginx/modules/ngx_nchan_module.so
[[ -f $MODULE ]] || { echo "no $MODULE: run make first" >&2; exit 1; }
[[ -f $NCHAN ]] || { echo "no nchan: apt-get install libnginx-mod-nchan" >&2; exit 1; }

WORK=$(mktemp -d /tmp/mskanban-bench-sse.XXXXXX)
OUT=$SRC/bench/sse/results-$(date -u +%Y%m%dT%H%M%SZ).jsonl
free_port() { perl -MIO::Socket::INET -e '$s = IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1", LocalPort => 0, ReuseAddr => 1) or die; print $s->sockport'; }
REDIS_PORT=$(free_port)
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no --daemonize yes \
  --pidfile "$WORK/redis.pid" --logfile "$WORK/redis.log"
cleanup() {
  [[ -f $WORK/nginx/nginx.pid ]] && kill -QUIT "$(cat "$WORK/nginx/nginx.pid")" 2>/dev/null || true
  kill "$(cat "$WORK/redis.pid")" 2>/dev/null || true
  sleep 0.5
  rm -rf "$WORK"
}
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)"

# nginx for one target: mskanban | nchan-memory | nchan-redis
start_nginx() {
  local target=$1 port=$2 auth=$3 p=$WORK/nginx load locs ups=
  rm -rf "$p"; mkdir -p "$p"/{logs,tmp}
  case $target in
    mskanban)
      load="load_module $MODULE;"
      locs="
        mskanban_redis_port $REDIS_PORT;
        location ~ ^/api/boards/[^/]+/live\$ { mskanban_live; mskanban_send_buffer 64k; }
        location /api/internal/ { internal; proxy_pass http://authz; proxy_http_version 1.1;
                                  proxy_set_header Connection \"\";
                                  proxy_buffer_size ${AUTHZ_BUFFER:-4k}; }" ;;
    nchan-memory)
      load="load_module $NCHAN;"
      locs="
        location ~ ^/sub/(\w+)\$ { nchan_subscriber eventsource; nchan_channel_id \$1; }
        location ~ ^/pub/(\w+)\$ { nchan_publisher; nchan_channel_id \$1; }" ;;
    nchan-redis)
      load="load_module $NCHAN;"
      ups="upstream redis { nchan_redis_server 127.0.0.1:$REDIS_PORT; }"
      locs="
        location ~ ^/sub/(\w+)\$ { nchan_subscriber eventsource; nchan_channel_id \$1;
                                   nchan_redis_pass redis; nchan_redis_storage_mode nostore; }
        location ~ ^/pub/(\w+)\$ { nchan_publisher; nchan_channel_id \$1;
                                   nchan_redis_pass redis; nchan_redis_storage_mode nostore; }" ;;
  esac
  cat >"$p/nginx.conf" <<CONF
$load
worker_processes 2;
worker_rlimit_nofile $(ulimit -Hn);
daemon on;
pid $p/nginx.pid;
error_log $p/logs/error.log warn;
events { worker_connections 16384; }
http {
    access_log off;
    client_body_temp_path $p/tmp; proxy_temp_path $p/tmp; fastcgi_temp_path $p/tmp;
    scgi_temp_path $p/tmp; uwsgi_temp_path $p/tmp;
    send_timeout 60s;
    upstream authz { server 127.0.0.1:$auth; keepalive 32; }
    $ups
    server {
        listen 127.0.0.1:$port backlog=8192 reuseport sndbuf=64k;
        $locs
    }
    server {
        listen 127.0.0.1:$auth;
        location / {
            add_header X-MSKanban-User ubench;
            add_header X-MSKanban-Session sbench;
            add_header X-MSKanban-Workspace wbench;
            return 204;
        }
    }
}
CONF
  /usr/sbin/nginx -p "$p" -c "$p/nginx.conf"
  sleep 1
}

worker_pids() { pgrep -P "$(cat "$WORK/nginx/nginx.pid")" | paste -sd, -; }

echo "results: $OUT" >&2
for n in "${COUNTS[@]}"; do
  for target in ${TARGETS:-mskanban nchan-memory nchan-redis}; do
    port=$(free_port) auth=$(free_port)
    start_nginx "$target" "$port" "$auth"
    case $target in
      mskanban) path=/api/boards/cbench/live pub=redis:$REDIS_PORT:mskanban:board:cbench ;;
      *) path=/sub/bench pub=http:$port:/pub/bench ;;
    esac
    ticks=20 burst=100
    ((n >= 5000)) && burst=50
    res=$(node "$SRC/bench/sse/client.mjs" --port "$port" --path "$path" --n "$n" --pub "$pub" \
          --ticks "$ticks" --burst "$burst" --pids "$(worker_pids)") \
      || { echo "$target: $res" >&2; tail -5 "$WORK/nginx/logs/error.log" >&2; exit 1; }
    echo "{\"target\":\"$target\",\"result\":$res}" | tee -a "$OUT"
    kill -QUIT "$(cat "$WORK/nginx/nginx.pid")"; sleep 1
  done
done

perl -MJSON::PP -ne '
  BEGIN { printf "%-13s %6s %5s %9s %9s %9s %11s %9s\n", "target", "subs", "open", "p50 ms", "p99 ms",
          "last ms", "ticks/s", "KiB/sub" }
  my $r = decode_json($_); my $x = $r->{result};
  printf "%-13s %6d %5d %9.2f %9.2f %9.2f %11d %9.2f\n", $r->{target}, $x->{n}, $x->{open},
    $x->{latencyMs}{p50}, $x->{latencyMs}{p99}, $x->{latencyMs}{last}, $x->{burst}{ticksPerSec},
    $x->{rssKiB}{perSubscriber};' "$OUT"
