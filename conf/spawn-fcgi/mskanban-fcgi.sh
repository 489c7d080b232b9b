#!/bin/sh
# Runs mskanban-fcgi without systemd. spawn-fcgi opens the socket (owner mskanban, group
# www-data, mode 0660, so only nginx's group can connect) and execs multiwatch, which
# starts N worker processes sharing it on fd 0 and restarts any that dies. Run as root;
# it stays in the foreground, so start it detached with its output in a log file (the
# workers' per-request log lines go to stderr):
#     setsid /usr/local/share/mskanban/conf/spawn-fcgi/mskanban-fcgi.sh \
#         >>/var/log/mskanban/fcgi.log 2>&1 </dev/null &
# Stop with `kill $(cat /run/mskanban/fcgi.pid)`: multiwatch passes SIGTERM on (-s; its
# default, USR1, would kill the workers without draining) and each
# worker finishes its in-flight requests. -r 20 -t 1000: a worker that lived 1 s is
# always restarted; only one that dies 20 times in a row within 1 s of starting (it
# cannot start: read the log) is given up on. multiwatch's default (3 deaths, each within
# 10 s) gave up on workers that crashed a few seconds apart. `make install` writes the configured paths.
set -e
install -d -o mskanban -g www-data -m 2750 /run/mskanban
echo $$ >/run/mskanban/fcgi.pid
exec spawn-fcgi -n -s /run/mskanban/fcgi.sock -M 0660 -U mskanban -G www-data \
    -u mskanban -g mskanban -- \
    /usr/bin/multiwatch -f "${MSKANBAN_PROCESSES:-2}" -s TERM -r 20 -t 1000 -- \
    /usr/bin/env MSKANBAN_LISTEN= /usr/local/bin/mskanban-fcgi -c /etc/mskanban/mskanban.conf
