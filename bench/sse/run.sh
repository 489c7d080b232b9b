#!/usr/bin/env bash
# bench/sse/run.sh: ngx_http_mskanban_module against nchan (Debian's
# libnginx-mod-nchan, memory store; optionally Redis with nchan_redis_storage_mode
# nostore), same machine, same run, same nginx settings (workers, sndbuf, send_timeout).
# Scenarios (env SCENARIOS, default "fanout slow outage"):
#   fanout  N subscribers on one channel (COUNTS, default 10000): worker RSS per
#           subscriber, latency of single ticks, the workers' utime+stime per delivery
#           at CPU_RATE ticks/s, delivered ticks/s of a burst;
#   slow    SLOW_N (50) subscribers that stop reading, SLOW_TICKS (2000) ticks: peak
#           worker RSS and how many the server closed (the send cap);
#   outage  mskanban only, OUTAGE_N (10000) subscribers, OUTAGE_RATE (2) ticks/s: kill -STOP of
#           Redis until the module logs it (or STOP_MAX s), then a Redis restart:
#           streams closed, ticks lost or duplicated (each tick carries a seq);
#   max     mskanban only, one worker, MAX_N subscribers (default: the fd limit less 64;
#           several source addresses past 20,000): how many one worker holds, its RSS.
#
#   bash bench/sse/run.sh [BUILDDIR] [COUNTS...]     (default BUILDDIR: build)
#
# The module's authorization is answered by a local nginx stand-in (204 with the
# identity headers), so both sides are measured without the FastCGI core; nchan has no
# authorization here. Appends to bench/sse/results-<date>.jsonl and prints a summary.
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
"$SRC/scripts/install-deps.sh" run bench    # Node.js, and nchan to compare with
BUILD=$(cd "${1:-$SRC/build}" && pwd); shift || true
COUNTS=("${@:-10000}")
read -r -a COUNTS <<<"${COUNTS[*]}"
SCENARIOS=${SCENARIOS:-fanout slow outage}
TARGETS=${TARGETS:-mskanban nchan-memory}
WORKERS=${WORKERS:-2}
MODULE=${MSKANBAN_SSE_MODULE:-$BUILD/nginx-module/ngx_http_mskanban_module.so}
NCHAN=/usr/lib/nginx/modules/ngx_nchan_module.so
[[ -f $MODULE ]] || { echo "no $MODULE: run make first" >&2; exit 1; }
[[ -f $NCHAN ]] || { echo "no nchan: apt-get install libnginx-mod-nchan" >&2; exit 1; }
HZ=$(getconf CLK_TCK)

# as many descriptors as the kernel allows (root may raise the hard limit to nr_open)
ulimit -Hn "$(cat /proc/sys/fs/nr_open)" 2>/dev/null || true
ulimit -n "$(ulimit -Hn)"
NOFILE=$(ulimit -n)

WORK=$(mktemp -d /tmp/mskanban-bench-sse.XXXXXX)
OUT=$SRC/bench/sse/results-$(date -u +%Y%m%dT%H%M%SZ).jsonl
free_port() { perl -MIO::Socket::INET -e '$s = IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1", LocalPort => 0, ReuseAddr => 1) or die; print $s->sockport'; }
REDIS_PORT=$(free_port)
# AOF on, so that a restart keeps the board stream (what a deployment keeps)
REDIS_ARGS=(--bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly yes --appendfsync everysec
  --dir "$WORK" --daemonize yes --pidfile "$WORK/redis.pid" --logfile "$WORK/redis.log")
redis-server "${REDIS_ARGS[@]}"
# stop | cont | restart, for the outage scenario
cat >"$WORK/redisctl" <<CTL
#!/usr/bin/env bash
set -e
case \$1 in
  stop) kill -STOP \$(cat "$WORK/redis.pid") ;;
  cont) kill -CONT \$(cat "$WORK/redis.pid") ;;
  restart)
    pid=\$(cat "$WORK/redis.pid")
    redis-cli -p $REDIS_PORT shutdown >/dev/null 2>&1 || true
    while kill -0 "\$pid" 2>/dev/null; do sleep 0.05; done
    redis-server $(printf '%q ' "${REDIS_ARGS[@]}")
    until redis-cli -p $REDIS_PORT ping >/dev/null 2>&1; do sleep 0.05; done ;;
esac
CTL
chmod +x "$WORK/redisctl"
cleanup() {
  [[ -f $WORK/nginx/nginx.pid ]] && kill -QUIT "$(cat "$WORK/nginx/nginx.pid")" 2>/dev/null || true
  kill -CONT "$(cat "$WORK/redis.pid")" 2>/dev/null || true
  kill "$(cat "$WORK/redis.pid")" 2>/dev/null || true
  sleep 0.5
  rm -rf "$WORK"
}
trap cleanup EXIT

# nginx for one target: mskanban | nchan-memory | nchan-redis; $4: worker connections
start_nginx() {
  local target=$1 port=$2 auth=$3 conns=$4 workers=${5:-$WORKERS} p=$WORK/nginx load locs ups=
  rm -rf "$p"; mkdir -p "$p"/{logs,tmp}
  case $target in
    mskanban)
      load="load_module $MODULE;"
      locs="
        mskanban_redis_port $REDIS_PORT;
        mskanban_max_subscribers $conns;
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
worker_processes $workers;
worker_rlimit_nofile $NOFILE;
daemon on;
pid $p/nginx.pid;
error_log $p/logs/error.log ${LOG_LEVEL:-notice};
events { worker_connections $conns; }
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
            add_header X-MSKanban-Board cbench;
            return 204;
        }
    }
}
CONF
  /usr/sbin/nginx -p "$p" -c "$p/nginx.conf"
  sleep 1
}
stop_nginx() { kill -QUIT "$(cat "$WORK/nginx/nginx.pid")"; sleep 1; }
worker_pids() { pgrep -P "$(cat "$WORK/nginx/nginx.pid")" | paste -sd, -; }

# run the client for one target and scenario: run_one TARGET MODE CONNS WORKERS ARGS...
run_one() {
  local target=$1 mode=$2 conns=$3 workers=$4 port auth path pub res
  shift 4
  port=$(free_port) auth=$(free_port)
  start_nginx "$target" "$port" "$auth" "$conns" "$workers"
  case $target in
    mskanban) path=/api/boards/cbench/live pub=redis:$REDIS_PORT:mskanban:board:cbench ;;
    *) path=/sub/bench pub=http:$port:/pub/bench ;;
  esac
  res=$(node "$SRC/bench/sse/client.mjs" --mode "$mode" --port "$port" --path "$path" --pub "$pub" \
        --pids "$(worker_pids)" --hz "$HZ" --ctl "$WORK/redisctl" --log "$WORK/nginx/logs/error.log" "$@") \
    || { echo "$target $mode: $res" >&2; tail -5 "$WORK/nginx/logs/error.log" >&2; stop_nginx; return 1; }
  echo "{\"target\":\"$target\",\"workers\":$workers,\"load\":\"$(cut -d' ' -f1-3 /proc/loadavg)\",\"result\":$res}" | tee -a "$OUT"
  [[ -n ${DEBUG:-} ]] && grep -v 'client closed\|client timed out' "$WORK/nginx/logs/error.log" | tail -"$DEBUG" >&2
  stop_nginx
}

echo "results: $OUT (fd limit $NOFILE, load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
for scenario in $SCENARIOS; do
  case $scenario in
    fanout)
      for n in "${COUNTS[@]}"; do
        for target in $TARGETS; do
          run_one "$target" fanout $((n + 2000)) "$WORKERS" --n "$n" --ticks "${LAT_TICKS:-10}" \
            --cputicks "${CPU_TICKS:-50}" --cpurate "${CPU_RATE:-10}" --burst "${BURST:-50}"
        done
      done ;;
    slow)
      for target in $TARGETS; do
        run_one "$target" slow 4096 "$WORKERS" --n "${SLOW_N:-50}" --ticks "${SLOW_TICKS:-2000}"
      done ;;
    outage)
      run_one mskanban outage $((${OUTAGE_N:-10000} + 2000)) "$WORKERS" --n "${OUTAGE_N:-10000}" \
        --rate "${OUTAGE_RATE:-2}" --stopmax "${STOP_MAX:-60}" --notice "${NOTICE_RE:-mskanban: redis}" ;;
    max)
      n=${MAX_N:-$((NOFILE - 64))}
      run_one mskanban fanout $((n + 2000)) 1 --n "$n" --srcs $(((n + 19999) / 20000)) \
        --ticks 0 --cputicks "${MAX_CPU_TICKS:-5}" --cpurate 1 --burst 0 ;;
    *) echo "unknown scenario $scenario" >&2; exit 2 ;;
  esac
done

perl -MJSON::PP -ne '
  my $r = decode_json($_); my $x = $r->{result}; my $t = "$r->{target} ($r->{workers}w, load $r->{load})";
  if ($x->{mode} eq "fanout") {
    printf "%-40s fanout %6d open %6d  %6.2f KiB/sub  %7.3f us CPU/delivery  p50 %s ms  burst %s ticks/s\n",
      $t, $x->{n}, $x->{open}, $x->{rssKiB}{perSubscriber}, $x->{cpu} ? $x->{cpu}{usPerDelivery} : -1,
      $x->{latencyMs} ? $x->{latencyMs}{p50} : "-", $x->{burst} ? $x->{burst}{ticksPerSec} : "-";
  } elsif ($x->{mode} eq "slow") {
    printf "%-40s slow   %d non-readers, %d closed, RSS +%.1f KiB each at peak\n",
      $t, $x->{open}, $x->{nonReadersClosed}, $x->{rssKiB}{peakGrowthPerNonReader};
  } elsif ($x->{mode} eq "outage") {
    printf "%-40s STOP: noticed after %s ms (%d closed); restart: %d of %d streams closed (%d reconnects), %d ticks lost, %d dup\n",
      $t, $x->{stop}{noticedMs} // "never", $x->{stop}{closed}, $x->{restart}{streamsClosed}, $x->{restart}{openBefore},
      $x->{restart}{reconnects}, $x->{restart}{ticksLost}, $x->{restart}{duplicates};
  }' "$OUT"
