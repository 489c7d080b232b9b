#!/usr/bin/env bash
# Installs the Debian 12 packages for one or more purposes, skipping those present, and
# says what it installs and why. Needs root (or sudo). Safe to run again. Never starts or
# enables the system services: MSKanban runs its own private instances.
#
#   scripts/install-deps.sh [run] [test] [bench] [--dry-run | --list]
#
#   run    build the server and run the stack (scripts/dev-up)
#   test   run: plus what the test suite needs (scripts/run-tests)
#   bench  run: plus the load generators (bench/)
# With no set named, `run`. --dry-run prints what would be installed and exits; --list
# prints every package of the sets (with nodejs npm for test and bench), one a line.
set -euo pipefail

declare -A WHY
add() { local why=$1; shift; for p in "$@"; do WHY[$p]=${WHY[$p]:-$why}; done; }

sets=() dry=no
for a in "$@"; do
  case $a in
    run | test | bench) sets+=("$a") ;;
    --dry-run) dry=yes ;;
    --list) dry=list ;;
    *) echo "install-deps: unknown argument $a (sets: run test bench)" >&2; exit 2 ;;
  esac
done
((${#sets[@]})) || sets=(run)

# run: build, then run PostgreSQL, Redis, the workers and nginx with the module.
add "run: compiler and autotools" build-essential autoconf automake libtool autoconf-archive pkg-config
add "run: libraries the server links" libfcgi-dev libpqxx-dev libhiredis-dev libjansson-dev \
  libsodium-dev libargon2-dev liboath-dev libfido2-dev libcbor-dev
add "run: libraries the client CLI and mskanban-jobs (webhooks) link" libcurl4-openssl-dev libqrencode-dev
add "run: make check (unit tests, built with the programs)" cpputest
add "run: build the nginx module against Debian's nginx" nginx-dev
add "run: the stack's servers" nginx postgresql redis-server
add "run: starts the FastCGI workers and restarts any that dies" spawn-fcgi multiwatch
add "run: free ports, the health check, finding the workers (pgrep)" perl curl procps
for s in "${sets[@]}"; do
  case $s in
    test)
      add "test: prove tests (Test::More, HTTP, WebSocket, JSON, PostgreSQL)" libmojolicious-perl libwww-perl \
        libjson-perl libdbd-pg-perl libtest-tcp-perl libanyevent-websocket-client-perl
      add "test: OpenAPI validation of every response" libjson-validator-perl libyaml-libyaml-perl
      add "test: TOTP codes" oathtool
      add "test: WebAuthn in a real browser (t/23webauthn-browser.t, puppeteer-core)" chromium
      add "test: scripts/run-valgrind, make valgrind-nginx-module" valgrind
      add "test: nchan, compared with the live stream" libnginx-mod-nchan
      add "test: backtraces of crashed nginx workers (t/55nginx-nchan.t)" gdb
      add "test: the API behind Apache and lighttpd" apache2 libapache2-mod-fcgid lighttpd
      add "test: attachment downloads behind Apache (X-Sendfile)" libapache2-mod-xsendfile
      ;;
    bench) add "bench: HTTP load generator" wrk
      add "bench: nchan, compared with the live stream (bench/sse)" libnginx-mod-nchan ;;
  esac
done

if [[ $dry == list ]]; then
  printf '%s\n' "${!WHY[@]}" | sort
  [[ " ${sets[*]} " == *" test "* || " ${sets[*]} " == *" bench "* ]] && printf '%s\n' nodejs npm
  exit 0
fi
missing=()
for p in $(printf '%s\n' "${!WHY[@]}" | sort); do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
# Node.js and npm (interop tests, the OpenAPI linter, bench/ clients): any install will
# do, Debian's (18.20) included; Debian's packages only when there is none.
if [[ " ${sets[*]} " == *" test "* || " ${sets[*]} " == *" bench "* ]]; then
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    add "test: Node.js and npm for the JavaScript interop tests and the OpenAPI linter" nodejs npm
    missing+=(nodejs npm)
  fi
fi
if ((${#missing[@]} == 0)); then
  echo "install-deps: ${sets[*]}: all ${#WHY[@]} packages present"
  exit 0
fi

echo "install-deps: ${sets[*]}: installing ${#missing[@]} package(s) (and what they depend on):"
for p in "${missing[@]}"; do printf '  %-34s %s\n' "$p" "${WHY[$p]}"; done
[[ $dry == yes ]] && exit 0

SUDO=""
if ((EUID != 0)); then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
# Installing the server packages must not start (or enable) their system services. A
# policy-rc.d that refuses every start is in place while apt runs, and removed on every
# way out (error, interrupt) unless it was there before.
policy=/usr/sbin/policy-rc.d
if [[ ! -e $policy ]]; then
  trap '$SUDO rm -f "$policy"' EXIT
  trap 'exit 130' INT TERM HUP
  printf '#!/bin/sh\n# temporary, from MSKanban scripts/install-deps.sh\nexit 101\n' | $SUDO tee $policy >/dev/null
  $SUDO chmod +x $policy
fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: done"
