#!/usr/bin/env bash
# bench/kanban.sh: the kanban API against a bare FastCGI hello, through the same nginx
# in the same run. Brings up a private stack (rate limits raised so wrk measures the
# code, not the limiter), seeds a board (COLUMNS columns x CARDS cards), starts a
# libfcgi hello behind the same nginx, then runs wrk against
#   GET   /api/health                (one PostgreSQL query and one Redis PING, no session)
#   GET   /api/me                    (session lookup, rate limit, one query)
#   GET   /api/boards/:id/cards      (the seeded board, COLUMNS x CARDS cards)
#   GET   /api/boards/:id/cards      with If-None-Match: its ETag (304, no body)
#   GET   /api/boards/:id/cards      a second board of BIG_COLUMNS x BIG_CARDS cards
#   PATCH /api/cards/:id/move        (random card to a random column, at its end)
#   GET   /bench/hello               (bare FastCGI)
# and prints req/s, p99 and each route's ratio to the hello.
#
#   bench/kanban.sh [--keep]     env: COLUMNS=10 CARDS=10 BIG_COLUMNS=10 BIG_CARDS=100
#                                     MSKANBAN_NO_BUILD=1 (use the binaries in MSKANBAN_BUILD)
#                                     DURATION=10s THREADS=2 CONNS=32
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${BENCH_STATE:-$SRC/var/bench-kanban}
COLUMNS=${COLUMNS:-10} CARDS=${CARDS:-10} BIG_COLUMNS=${BIG_COLUMNS:-10} BIG_CARDS=${BIG_CARDS:-100} DURATION=${DURATION:-10s} THREADS=${THREADS:-2} CONNS=${CONNS:-32}
KEEP=no; [[ ${1:-} == --keep ]] && KEEP=yes
"$SRC/scripts/install-deps.sh" run bench    # wrk (and what the stack needs)

export MSKANBAN_RATE_LIMIT_READ=100000000/1m MSKANBAN_RATE_LIMIT_MUTATION=100000000/1m
. "$SRC/bench/lib.sh"
bench_stack_up "$STATE" ${MSKANBAN_NO_BUILD:+--no-build}
HELLO_PID=
cleanup() {
  [[ -n $HELLO_PID ]] && kill $HELLO_PID 2>/dev/null || true
  [[ $KEEP == yes ]] || "$SRC/scripts/stack" down --state "$STATE" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# The hello worker, and a location for it in the stack's nginx.
bench_hello_up "$STATE" 'location = /bench/hello { include /etc/nginx/fastcgi_params; fastcgi_pass unix:@HELLO@; }'

eval "$(MSKANBAN_TEST_STATE=$STATE perl -I "$SRC/t/lib" "$SRC/bench/kanban-seed.pl" "$BIG_COLUMNS" "$BIG_CARDS" | sed 's/^/BIG_/')"
eval "$(MSKANBAN_TEST_STATE=$STATE perl -I "$SRC/t/lib" "$SRC/bench/kanban-seed.pl" "$COLUMNS" "$CARDS")"
# The card list's ETag, for the conditional read (checked to answer 304).
ETAG=$(curl -s -o /dev/null -D - -H "Cookie: mskanban_session=$COOKIE" "$MSKANBAN_URL/api/boards/$BOARD/cards" |
  awk 'tolower($1) == "etag:" {print $2}' | tr -d '\r')
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: mskanban_session=$COOKIE" -H "If-None-Match: $ETAG" \
  "$MSKANBAN_URL/api/boards/$BOARD/cards")
[[ $code == 304 ]] || echo "bench: the conditional card list answered $code, not 304 (ETag '$ETAG')" >&2
read -r -a COLS <<<"$COLUMNS"
read -r -a CARD_IDS <<<"$CARDS"

LUA=$STATE/move.lua
bench_move_lua "$LUA" "$CARDS" "$COLUMNS"

run() {  # run NAME URL [wrk args...]: prints "NAME req/s p99 non2xx"
  local name=$1 url=$2; shift 2
  local out
  out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -H "Cookie: mskanban_session=${RUN_COOKIE:-$COOKIE}" "$@" "$url")
  local rps p99 bad
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  bad=$(awk '/Non-2xx/ {print $5}' <<<"$out"); bad=${bad:-0}  # wrk counts 3xx here too
  echo "$name $rps $p99 $bad"
}

read -r -a BIG_CARD_IDS <<<"$BIG_CARDS"
echo "bench: $(date -u +%FT%TZ), board $BOARD: ${#COLS[@]} columns, ${#CARD_IDS[@]} cards; second board ${#BIG_CARD_IDS[@]} cards; wrk -t$THREADS -c$CONNS -d$DURATION" >&2
results=()
results+=("$(run hello "$MSKANBAN_URL/bench/hello")")
results+=("$(run health "$MSKANBAN_URL/api/health")")
results+=("$(run me "$MSKANBAN_URL/api/me")")
results+=("$(run cards "$MSKANBAN_URL/api/boards/$BOARD/cards")")
results+=("$(run cards-304 "$MSKANBAN_URL/api/boards/$BOARD/cards" -H "If-None-Match: $ETAG")")
results+=("$(RUN_COOKIE=$BIG_COOKIE run cards-big "$MSKANBAN_URL/api/boards/$BIG_BOARD/cards")")
results+=("$(run move "$MSKANBAN_URL/api/cards/x/move" -s "$LUA")")
results+=("$(run hello-again "$MSKANBAN_URL/bench/hello")")

hello=$(awk '{print $2}' <<<"${results[0]}")
printf '%-34s %12s %10s %8s %8s\n' route req/s p99 ratio non-2xx
for r in "${results[@]}"; do
  read -r name rps p99 bad <<<"$r"
  case $name in
    hello|hello-again) label="GET /bench/hello (FastCGI hello)" ;;
    health) label="GET /api/health" ;;
    me) label="GET /api/me" ;;
    cards) label="GET /api/boards/:id/cards (${#CARD_IDS[@]})" ;;
    cards-304) label="same, If-None-Match (304; non-2xx)" ;;
    cards-big) label="GET /api/boards/:id/cards (${#BIG_CARD_IDS[@]})" ;;
    move) label="PATCH /api/cards/:id/move" ;;
  esac
  printf '%-34s %12s %10s %8s %8s\n' "$label" "$rps" "$p99" "$(awk -v a="$rps" -v b="$hello" 'BEGIN {printf "%.3f", a / b}')" "$bad"
done
