#!/usr/bin/env bash
# bench/attachments.sh: attachment uploads and downloads through the stack's nginx,
# against nginx doing the same transfer without our worker, in one run:
#   upload    POST /api/cards/:id/attachments (nginx writes the body to a file, the worker
#             checks and renames it)   vs   POST /bench/upload (nginx writes the body to a
#             file, a bare libfcgi hello answers; the file is dropped)
#   download  GET /api/attachments/:id (the worker answers X-Accel-Redirect, nginx sends
#             the file)   vs   GET /bench/static/<name> (nginx serves the same file)
# and the FastCGI workers' memory (VmRSS now, VmHWM = peak) after UPLOADS uploads of a
# 1 KiB file and after UPLOADS uploads of a 25 MiB file: a worker that buffered a file
# would show it in its peak.
#
#   bench/attachments.sh [--keep]     env: UPLOADS=10 DOWNLOADS=20 PAR=4
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${BENCH_STATE:-$SRC/var/bench-attachments}
UPLOADS=${UPLOADS:-10} DOWNLOADS=${DOWNLOADS:-20} PAR=${PAR:-4}
KEEP=no; [[ ${1:-} == --keep ]] && KEEP=yes
"$SRC/scripts/install-deps.sh" run bench >/dev/null

export MSKANBAN_RATE_LIMIT_READ=100000000/1m MSKANBAN_RATE_LIMIT_MUTATION=100000000/1m \
  MSKANBAN_RATE_LIMIT_UPLOAD=100000000/1m MSKANBAN_ATTACHMENT_WORKSPACE_QUOTA_BYTES=0
. "$SRC/bench/lib.sh"
bench_stack_up "$STATE" ${MSKANBAN_NO_BUILD:+--no-build}
HELLO_PID=
WORK=$(mktemp -d)
cleanup() {
  [[ -n $HELLO_PID ]] && kill $HELLO_PID 2>/dev/null || true
  rm -rf "$WORK"
  [[ $KEEP == yes ]] || "$SRC/scripts/stack" destroy --state "$STATE" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# The baselines in the same nginx: a hello worker behind an upload location configured
# like ours, and the attachment directory served statically.
bench_hello_up "$STATE" "location = /bench/upload { client_max_body_size 26221224; client_body_in_file_only clean; include /etc/nginx/fastcgi_params; fastcgi_pass_request_body off; fastcgi_pass unix:@HELLO@; }\n        location /bench/static/ { alias $MSKANBAN_ATTACHMENT_DIR/; }"

# The seed prints BOARD=, COOKIE=, COLUMNS='...', CARDS='...' lines; anything else means
# it failed (and must not be evaluated).
seed=$(MSKANBAN_TEST_STATE=$STATE perl -I "$SRC/t/lib" "$SRC/bench/kanban-seed.pl" 1 1) || { echo "bench: seeding failed" >&2; exit 1; }
COOKIE= CARD=
while IFS='=' read -r k v; do
  v=${v//\'/}
  case $k in COOKIE) COOKIE=$v ;; CARDS) CARD=$v ;; esac
done <<<"$seed"
[[ -n $COOKIE && -n $CARD ]] || { echo "bench: seeding failed: $seed" >&2; exit 1; }
API=$MSKANBAN_URL/api
# Stand-ins for client streams (the server cannot tell): a 1 KiB and a 25 MiB file's.
head -c 1065 /dev/urandom >"$WORK/small"          # 24 + 1024 + 17
head -c 26221224 /dev/urandom >"$WORK/big"        # 24 + 25 MiB + 400 * 17
MIB=$(awk 'BEGIN { print 26221224 / 1048576 }')

workers() { pgrep -P "$(cat "$(dirname "$MSKANBAN_FCGI_SOCKET")/supervisor.pid")" | tr '\n' ' '; }
memory() {  # "rss <sum of VmRSS> KiB, peak <max VmHWM> KiB" over the workers
  local rss=0 hwm=0 p r h
  for p in $(workers); do
    r=$(awk '/^VmRSS/ {print $2}' "/proc/$p/status"); h=$(awk '/^VmHWM/ {print $2}' "/proc/$p/status")
    rss=$((rss + r)); ((h > hwm)) && hwm=$h
  done
  echo "rss $rss KiB (sum of $(workers | wc -w) workers), peak $hwm KiB (largest VmHWM)"
}
new_id() { printf 'cbench%s' "$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n' | tr -dc '0-9a-f' | cut -c1-18)"; }
ENV1="v1.$(head -c 24 /dev/urandom | basenc --base64url | tr -d '=\n').$(head -c 64 /dev/urandom | basenc --base64url | tr -d '=\n')"
upload() {  # upload FILE -> "status seconds"
  curl -s -o "$WORK/answer.$BASHPID" -w '%{http_code} %{time_total}\n' -H "Cookie: mskanban_session=$COOKIE" \
    -H 'Content-Type: application/octet-stream' -H 'Expect:' -H "X-Attachment-Id: $(new_id)" \
    -H "X-Attachment-Meta: $ENV1" --data-binary "@$1" "$API/cards/$CARD/attachments"
}
export -f upload new_id; export API CARD COOKIE ENV1 WORK

echo "workers at start:            $(memory)"
for ((i = 0; i < UPLOADS; i++)); do upload "$WORK/small" >/dev/null; done
echo "after $UPLOADS x 1 KiB uploads:   $(memory)"
# The sequential 25 MiB uploads are the upload figure too.
t0=$(date +%s.%N)
codes=$(for ((i = 0; i < UPLOADS; i++)); do upload "$WORK/big"; done | awk '{print $1}' | sort | uniq -c | tr '\n' ' ')
t1=$(date +%s.%N)
echo "after $UPLOADS x 25 MiB uploads:  $(memory)"
up_api=$(awk -v n="$UPLOADS" -v m="$MIB" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n * m / (b - a) }')
t0=$(date +%s.%N)
for ((i = 0; i < UPLOADS; i++)); do
  curl -s -o /dev/null -H 'Expect:' -H 'Content-Type: application/octet-stream' --data-binary "@$WORK/big" "$MSKANBAN_URL/bench/upload"
done
t1=$(date +%s.%N)
up_static=$(awk -v n="$UPLOADS" -v m="$MIB" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n * m / (b - a) }')
# Parallel uploads: PAR clients at once, UPLOADS each.
t0=$(date +%s.%N)
seq $((PAR * UPLOADS)) | xargs -P "$PAR" -I{} bash -c 'upload "$WORK/big" >/dev/null'
t1=$(date +%s.%N)
up_par=$(awk -v n="$((PAR * UPLOADS))" -v m="$MIB" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n * m / (b - a) }')
echo "after $((PAR * UPLOADS)) more 25 MiB uploads, $PAR at a time: $(memory)"

# Downloads: one of the stored 25 MiB attachments, through the API and statically.
read -r ATT NAME < <(MSKANBAN_TEST_STATE=$STATE perl -I "$SRC/t/lib" -MMSKanban::Test -e \
  'print join(" ", MSKanban::Test->new->dbh->selectrow_array("SELECT id, storage_name FROM attachments WHERE size_bytes = 26221224 LIMIT 1")), "\n"')
fetch() { curl -s -o /dev/null -w '%{http_code} %{size_download}\n' "$@"; }
check=$(fetch -H "Cookie: mskanban_session=$COOKIE" "$API/attachments/$ATT")
[[ $check == "200 26221224" ]] || echo "bench: the API download answered '$check'" >&2
check=$(fetch "$MSKANBAN_URL/bench/static/$NAME")
[[ $check == "200 26221224" ]] || echo "bench: the static download answered '$check'" >&2
rate() {  # rate URL [curl args]: MiB/s over DOWNLOADS downloads, PAR at a time
  local url=$1; shift
  local t0 t1
  t0=$(date +%s.%N)
  seq "$DOWNLOADS" | xargs -P "$PAR" -I{} curl -s -o /dev/null "$@" "$url"
  t1=$(date +%s.%N)
  awk -v n="$DOWNLOADS" -v m="$MIB" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n * m / (b - a) }'
}
down_api=$(rate "$API/attachments/$ATT" -H "Cookie: mskanban_session=$COOKIE")
down_static=$(rate "$MSKANBAN_URL/bench/static/$NAME")
echo "workers at the end:          $(memory)"

cat <<EOF

upload answers (sequential 25 MiB): $codes
| transfer (25 MiB) | through the API | nginx alone | ratio |
| --- | ---: | ---: | ---: |
| upload, one at a time | $up_api MiB/s | $up_static MiB/s | $(awk -v a="$up_api" -v b="$up_static" 'BEGIN { printf "%.2f", a / b }') |
| upload, $PAR at a time | $up_par MiB/s | | |
| download, $PAR at a time | $down_api MiB/s | $down_static MiB/s | $(awk -v a="$down_api" -v b="$down_static" 'BEGIN { printf "%.2f", a / b }') |
EOF
