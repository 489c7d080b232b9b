# Shared by the bench scripts (source it after setting SRC): a private test stack and
# the bare FastCGI hello they compare against, behind the same nginx.

# bench_stack_up STATE [STACK-ARGS]: brings up a test stack and reads its stack.env into
# the MSKANBAN_* variables.
bench_stack_up() {
  "$SRC/scripts/stack" up --test --state "$1" "${@:2}" >/dev/null
  # stack.env holds unquoted KEY=value lines (paths may have spaces): read, don't source.
  local k v
  while IFS='=' read -r k v; do [[ $k =~ ^MSKANBAN_[A-Z0-9_]+$ ]] && printf -v "$k" %s "$v"; done <"$1/stack.env"
}

# bench_hello_up STATE LOCATIONS: starts the libfcgi hello (bench/hello-fcgi.c) on a
# socket next to the workers' (sets HELLO_SOCK and HELLO_PID; kill $HELLO_PID when done),
# adds LOCATIONS (nginx text, @HELLO@ standing for the socket) to the stack's nginx once,
# and reloads it.
bench_hello_up() {
  HELLO_SOCK=$(dirname "$MSKANBAN_FCGI_SOCKET")/hello.sock
  cc -O2 -o "$1/hello-fcgi" "$SRC/bench/hello-fcgi.c" -lfcgi
  rm -f "$HELLO_SOCK"
  spawn-fcgi -s "$HELLO_SOCK" -M 0660 -G "$MSKANBAN_WEB_GROUP" -F 2 -P "$1/hello.pids" -- "$1/hello-fcgi" >/dev/null
  HELLO_PID=$(tr -s ' \n' ' ' <"$1/hello.pids")
  local conf=$MSKANBAN_NGINX_PREFIX/nginx.conf
  if ! grep -qF '# bench locations' "$conf"; then
    sed -i "s|server_name localhost;|server_name localhost;  # bench locations\n        ${2//@HELLO@/$HELLO_SOCK}|" "$conf"
  fi
  /usr/sbin/nginx -p "$MSKANBAN_NGINX_PREFIX" -c "$conf" -s reload
  sleep 0.5
}

# bench_move_lua FILE CARD-IDS COLUMN-IDS (space-separated): writes the wrk script that
# moves a random card to the end of a random column (PATCH /api/cards/:id/move).
bench_move_lua() {
  local -a cards cols
  read -r -a cards <<<"$2"
  read -r -a cols <<<"$3"
  {
    echo "local cards = {$(printf '"%s",' "${cards[@]}")}"
    echo "local cols = {$(printf '"%s",' "${cols[@]}")}"
    cat <<'LUA'
wrk.method = "PATCH"
wrk.headers["Content-Type"] = "application/json"
request = function()
  local card = cards[math.random(#cards)]
  local col = cols[math.random(#cols)]
  return wrk.format(nil, "/api/cards/" .. card .. "/move", nil, '{"toColumnId":"' .. col .. '"}')
end
LUA
  } >"$1"
}
