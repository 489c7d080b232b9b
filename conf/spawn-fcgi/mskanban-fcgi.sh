#!/bin/sh
# Starts mskanban-fcgi under spawn-fcgi: spawn-fcgi opens the socket and hands it to
# each of N worker processes on fd 0 (`listen` stays empty). Stop with
# `kill $(cat /run/mskanban/fcgi.pids)`: each process finishes in-flight requests.
exec spawn-fcgi -s /run/mskanban/fcgi.sock -M 0660 -U www-data -u mskanban -g mskanban \
    -F "${MSKANBAN_PROCESSES:-2}" -P /run/mskanban/fcgi.pids -- \
    /usr/bin/env MSKANBAN_LISTEN= /usr/local/bin/mskanban-fcgi -c /etc/mskanban/mskanban.conf
