#!/usr/bin/env bash
# bench/faults.sh: exactly-once under repeated kill -9 of FastCGI workers, at full speed.
# Brings up a private test stack with the rate limits raised (so clients never wait) and
# runs t/serial/97exactly-once.t against it: a worker killed right after COMMIT, then
# CLIENTS clients creating and moving cards with an Idempotency-Key on every mutation,
# retrying with the same key on errors, while KILLS workers are killed, one every
# INTERVAL seconds. Prints acknowledged vs stored and the duplicates (figures for
# bench/RESULTS.md).
#
#   bench/faults.sh [--keep]     env: KILLS=20 INTERVAL=5.5 CLIENTS=16
#                                     NO_BUILD=1 (use the binaries already in MSKANBAN_BUILD)
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${BENCH_STATE:-$SRC/var/bench-faults}
KEEP=no; [[ ${1:-} == --keep ]] && KEEP=yes
export MSKANBAN_RATE_LIMIT_READ=100000000/1m MSKANBAN_RATE_LIMIT_MUTATION=100000000/1m
"$SRC/scripts/stack" up --test ${NO_BUILD:+--no-build} --state "$STATE" >/dev/null
cleanup() { [[ $KEEP == yes ]] || "$SRC/scripts/stack" down --state "$STATE" >/dev/null 2>&1 || true; }
trap cleanup EXIT
MSKANBAN_TEST_STATE=$STATE MSKANBAN_FAULT_KILLS=${KILLS:-20} MSKANBAN_FAULT_INTERVAL=${INTERVAL:-5.5} \
  MSKANBAN_FAULT_CLIENTS=${CLIENTS:-16} MSKANBAN_FAULT_PAUSE=0 \
  prove -v -I "$SRC/t/lib" "$SRC/t/serial/97exactly-once.t" 2>&1 | grep -E '^(not ok|ok|#)' | grep -v '^ok' || true
