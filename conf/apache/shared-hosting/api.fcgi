#!/bin/sh
# The FastCGI program mod_fcgid starts (shared hosting). Apache hands it the listening
# socket on fd 0 and recycles it as the host configured; the worker needs no daemon.
# Point the two paths at your copy, outside the web root (the config holds secrets).
MSKANBAN_HOME=${MSKANBAN_HOME:-$HOME/mskanban}
MSKANBAN_CONFIG=$MSKANBAN_HOME/mskanban.conf
# mod_fcgid sends a process one request at a time: one thread is enough.
MSKANBAN_THREADS=1
export MSKANBAN_CONFIG MSKANBAN_THREADS
exec "$MSKANBAN_HOME/bin/mskanban-fcgi"
