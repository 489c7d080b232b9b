#!/usr/bin/env bash
# bench/cost.sh: CPU time per request of each part of a stack kept by
# `bench/kanban.sh --keep`, for one route at a time. Throughput ratios swing with the
# machine's load (other processes take the CPU); the CPU time our processes spend per
# request does not, so this is the figure to compare variants with on a busy machine.
# Sums utime+stime (/proc/PID/stat) of the stack's nginx, FastCGI workers, the hello,
# PostgreSQL and Redis over one wrk run and divides by the requests wrk completed.
#
#   bench/cost.sh NAME URL [wrk args...]     env: BENCH_STATE (default var/bench-kanban),
#                                                 DURATION=5s THREADS=2 CONNS=32, COOKIE
# Prints: NAME requests req/s and microseconds of CPU per request for nginx, fcgi
# (our workers, or the hello), postgres, redis and their total.
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${BENCH_STATE:-$SRC/var/bench-kanban}
DURATION=${DURATION:-5s} THREADS=${THREADS:-2} CONNS=${CONNS:-32}
name=$1 url=$2; shift 2
while IFS='=' read -r k v; do [[ $k =~ ^MSKANBAN_[A-Z0-9_]+$ ]] && printf -v "$k" %s "$v"; done <"$STATE/stack.env"

kids() { local p; for p in "$@"; do echo "$p"; pgrep -P "$p" || true; done; }
group_pids() {  # group: pids (with their children)
  case $1 in
    nginx) kids "$(cat "$MSKANBAN_NGINX_PREFIX/nginx.pid")" ;;
    fcgi) kids "$(cat "$MSKANBAN_FCGI_SUPERVISOR_PID")"; cat "$STATE/hello.pids" 2>/dev/null || true ;;
    postgres) kids "$(head -n1 "$MSKANBAN_PG_DATA/postmaster.pid")" ;;
    redis) cat "$STATE/redis/redis.pid" ;;
  esac
}
ticks() {  # total utime+stime of a group, in clock ticks
  local p t=0 s
  for p in $(group_pids "$1" | sort -u); do
    s=$(cat "/proc/$p/stat" 2>/dev/null) || continue
    s=${s##*) }  # fields after the command name
    read -r -a f <<<"$s"
    t=$((t + f[11] + f[12]))
  done
  echo "$t"
}
groups=(nginx fcgi postgres redis)
declare -A before
for g in "${groups[@]}"; do before[$g]=$(ticks "$g"); done
out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" -H "Cookie: mskanban_session=${COOKIE:-}" "$@" "$url")
n=$(awk '/requests in/ {print $1}' <<<"$out")
rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
hz=$(getconf CLK_TCK)
line="$name $n $rps"
total=0
for g in "${groups[@]}"; do
  d=$(( $(ticks "$g") - before[$g] ))
  total=$((total + d))
  line+=" $g=$(awk -v d="$d" -v n="$n" -v hz="$hz" 'BEGIN {printf "%.0f", d * 1e6 / hz / n}')"
done
line+=" total=$(awk -v d="$total" -v n="$n" -v hz="$hz" 'BEGIN {printf "%.0f", d * 1e6 / hz / n}')us/req"
bad=$(awk '/Non-2xx/ {print $5}' <<<"$out")
[[ -n $bad ]] && line+=" non2xx=$bad"
echo "$line"
