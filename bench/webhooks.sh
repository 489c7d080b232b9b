#!/usr/bin/env bash
# Webhook figures (bench/webhooks.pl): deliveries per second to a local receiver that
# answers at once, and the latency from a mutation's commit to the receiver. Uses the
# test stack named by MSKANBAN_TEST_STATE, or brings up its own (and removes it).
#   bench/webhooks.sh [N]     (N deliveries for the throughput run, default 2000)
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$SRC/bench/lib.sh"
if [[ -z ${MSKANBAN_TEST_STATE:-} ]]; then
  export MSKANBAN_TEST_STATE=$SRC/var/bench-webhooks-$$
  trap '"$SRC/scripts/stack" destroy --state "$MSKANBAN_TEST_STATE" >/dev/null 2>&1 || true' EXIT
  bench_stack_up "$MSKANBAN_TEST_STATE"
fi
perl -I "$SRC/t/lib" "$SRC/bench/webhooks.pl" "${1:-2000}"
