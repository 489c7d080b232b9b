#!/usr/bin/env bash
# bench/cost-routes.sh: bench/cost.sh for every route of bench/kanban.sh, on one or more
# stacks kept by `bench/kanban.sh --keep` (e.g. one per build, to compare builds in one
# run). Each stack gets a fresh board (COLUMNS x CARDS and BIG_COLUMNS x BIG_CARDS,
# seeded as bench/kanban.sh does); then for each route the stacks are measured in turn,
# ROUNDS times, so that the machine's load falls on all of them alike.
#
#   bench/cost-routes.sh STATE...     env: ROUNDS=2 ROUTES="hello health me cards cards-304
#                                          cards-big move" DURATION=5s (bench/cost.sh)
# Prints one line per measurement: STATE-NAME ROUTE requests req/s and CPU per request
# (see bench/cost.sh).
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
COLUMNS=${COLUMNS:-10} CARDS=${CARDS:-10} BIG_COLUMNS=${BIG_COLUMNS:-10} BIG_CARDS=${BIG_CARDS:-100}
ROUNDS=${ROUNDS:-2} ROUTES=${ROUTES:-"hello health me cards cards-304 cards-big move"}
. "$SRC/bench/lib.sh"
declare -A URL COOKIE_OF BIG_OF ETAG_OF LUA_OF BIGC_OF
HELLOS=
trap '[[ -z $HELLOS ]] || kill $HELLOS 2>/dev/null || true' EXIT
for st in "$@"; do
  url=$(sed -n 's/^MSKANBAN_URL=//p' "$st/stack.env")
  eval "$(MSKANBAN_TEST_STATE=$st perl -I "$SRC/t/lib" "$SRC/bench/kanban-seed.pl" "$COLUMNS" "$CARDS" | sed 's/^/S_/')"
  eval "$(MSKANBAN_TEST_STATE=$st perl -I "$SRC/t/lib" "$SRC/bench/kanban-seed.pl" "$BIG_COLUMNS" "$BIG_CARDS" | sed 's/^/SB_/')"
  URL[$st]=$url COOKIE_OF[$st]=$S_COOKIE BIGC_OF[$st]=$SB_COOKIE
  URL[$st.board]=$S_BOARD BIG_OF[$st]=$SB_BOARD
  ETAG_OF[$st]=$(curl -s -o /dev/null -D - -H "Cookie: mskanban_session=$S_COOKIE" "$url/api/boards/$S_BOARD/cards" |
    awk 'tolower($1) == "etag:" {print $2}' | tr -d '\r')
  # The hello (bench/kanban.sh stopped its own): started again behind the stack's nginx.
  if ! curl -sf -o /dev/null "$url/bench/hello"; then
    ( while IFS='=' read -r k v; do [[ $k =~ ^MSKANBAN_[A-Z0-9_]+$ ]] && export "$k=$v"; done <"$st/stack.env"
      bench_hello_up "$st" 'location = /bench/hello { include /etc/nginx/fastcgi_params; fastcgi_pass unix:@HELLO@; }' )
    HELLOS+=" $(tr -s ' \n' ' ' <"$st/hello.pids")"
  fi
  LUA_OF[$st]=$st/move-cost.lua
  bench_move_lua "${LUA_OF[$st]}" "$S_CARDS" "$S_COLUMNS"
done
for route in $ROUTES; do
  for ((round = 1; round <= ROUNDS; round++)); do
    for st in "$@"; do
      u=${URL[$st]} c=${COOKIE_OF[$st]} b=${URL[$st.board]}
      case $route in
        hello) args=("$u/bench/hello") ;;
        health) args=("$u/api/health") ;;
        me) args=("$u/api/me") ;;
        cards) args=("$u/api/boards/$b/cards") ;;
        cards-304) args=("$u/api/boards/$b/cards" -H "If-None-Match: ${ETAG_OF[$st]}") ;;
        cards-big) args=("$u/api/boards/${BIG_OF[$st]}/cards"); c=${BIGC_OF[$st]} ;;
        move) args=("$u/api/cards/x/move" -s "${LUA_OF[$st]}") ;;
        *) echo "cost-routes: unknown route $route" >&2; exit 2 ;;
      esac
      echo "$(basename "$st") $(BENCH_STATE=$st COOKIE=$c "$SRC/bench/cost.sh" "$route" "${args[@]}")"
    done
  done
done
