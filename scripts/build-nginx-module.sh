#!/bin/bash
# Builds ngx_http_mskanban_module.so against Debian's nginx-dev sources.
#
# usage: scripts/build-nginx-module.sh SRCDIR BUILDDIR
#
# Copies /usr/share/nginx/src (NGINX_SRC) to BUILDDIR/nginx-build once,
# configures it with Debian's own flags (conf_flags, which include
# --with-compat) plus --add-dynamic-module=SRCDIR/nginx-module, builds only
# the modules and copies the result to BUILDDIR/nginx-module/. nginx's
# configure runs again only when the module's "config" file changed, so an
# edit of a .c file rebuilds in a second or two. The module is compiled
# with nginx's flags (-Werror) plus -Wall -Wextra.
#
# hiredis goes into the .so privately (see nginx-module/config): from
# MSKANBAN_HIREDIS_LIBS (configure sets it to hiredis's static archive),
# default -l:libhiredis.a. The script fails if the result still exports or
# imports any redis* symbol, which would let another module's hiredis (nchan's)
# take over our calls.
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 SRCDIR BUILDDIR" >&2
    exit 2
fi

srcdir=$(cd "$1" && pwd)
builddir=$(mkdir -p "$2" && cd "$2" && pwd)
nginx_src=${NGINX_SRC:-/usr/share/nginx/src}
module_dir=$srcdir/nginx-module
work=$builddir/nginx-build
out=$builddir/nginx-module

if [ ! -f "$nginx_src/configure" ] || [ ! -f "$nginx_src/conf_flags" ]; then
    echo "$0: $nginx_src has no nginx sources; install Debian's nginx-dev" >&2
    exit 1
fi

if [ ! -f /usr/include/hiredis/async.h ]; then
    echo "$0: hiredis headers missing; install libhiredis-dev" >&2
    exit 1
fi

if [ ! -f "$work/configure" ]; then
    rm -rf "$work"
    mkdir -p "$work"
    cp -R "$nginx_src/." "$work/"
    chmod -R u+w "$work"
fi

# configure again only when the module's build glue (or nginx) changed
stamp=$work/.mskanban-configured
export MSKANBAN_HIREDIS_LIBS=${MSKANBAN_HIREDIS_LIBS:--l:libhiredis.a}
want=$( (cat "$module_dir/config" "$nginx_src/conf_flags"; \
         echo "$MSKANBAN_HIREDIS_LIBS") | sha256sum | cut -d' ' -f1)
want="$want $module_dir"

if [ ! -f "$work/objs/Makefile" ] || [ ! -f "$stamp" ] \
   || [ "$(cat "$stamp")" != "$want" ]
then
    (
        cd "$work"
        # shellcheck disable=SC1091
        source ./conf_flags
        ./configure "${NGX_CONF_FLAGS[@]}" \
            --with-cc-opt="-Wall -Wextra -Wno-unused-parameter" \
            --add-dynamic-module="$module_dir" >configure.log 2>&1 \
        || { cat configure.log >&2; exit 1; }
    )
    echo "$want" >"$stamp"
fi

# the outer make's flags (jobserver, -s, -n) are not for nginx's Makefile
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$work" -f objs/Makefile modules

mkdir -p "$out"
so=$work/objs/ngx_http_mskanban_module.so
# no hiredis symbol in the dynamic symbol table, defined or undefined
leaked=$(readelf --dyn-syms -W "$so" \
         | awk '$8 ~ /^_*(redis|hiredis|sds)/ {print $7, $8}')
if [ -n "$leaked" ] || readelf -d "$so" | grep -q 'NEEDED.*libhiredis'; then
    echo "$0: $so links hiredis dynamically or exposes its symbols:" >&2
    echo "$leaked" | head -5 >&2
    exit 1
fi
if cmp -s "$so" "$out/ngx_http_mskanban_module.so"; then
    touch "$out/ngx_http_mskanban_module.so"
else
    # a new inode: a running nginx keeps the old file until it reloads
    cp "$so" "$out/ngx_http_mskanban_module.so.tmp"
    mv "$out/ngx_http_mskanban_module.so.tmp" "$out/ngx_http_mskanban_module.so"
fi
