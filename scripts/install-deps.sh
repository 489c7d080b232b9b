#!/usr/bin/env bash
# Installs the Debian 12 packages MSKanban needs to build, run and test, skipping those
# already present. Needs root (or sudo). Safe to run again.
set -euo pipefail

PACKAGES=(
  # build
  build-essential autoconf automake libtool autoconf-archive pkg-config
  libfcgi-dev libpqxx-dev libhiredis-dev libjansson-dev libsodium-dev libargon2-dev
  liboath-dev libcurl4-openssl-dev libqrencode-dev cpputest nginx-dev
  # run
  nginx postgresql redis-server spawn-fcgi
  # test and bench
  perl libmojolicious-perl libwww-perl libjson-perl libdbd-pg-perl libtest-tcp-perl
  libanyevent-websocket-client-perl libjson-validator-perl libyaml-libyaml-perl
  wrk curl valgrind oathtool libnginx-mod-nchan
)

missing=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
# Node.js and npm (for the interop tests and the OpenAPI linter): any install will do;
# Debian's packages only when there is none.
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if ((EUID != 0)); then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# Installing the server packages must not start (or enable) their system services:
# MSKanban runs its own private instances.
policy=/usr/sbin/policy-rc.d
created_policy=no
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee $policy >/dev/null
  $SUDO chmod +x $policy
  created_policy=yes
fi
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
[[ $created_policy == yes ]] && $SUDO rm -f $policy
echo "install-deps: done"
