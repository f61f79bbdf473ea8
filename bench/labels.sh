#!/usr/bin/env bash
# Labels and verification under load, against two baselines measured in the same run.
#
#   bash bench/labels.sh                       # SQLite in a temporary folder
#   bash bench/labels.sh 'root:@tcp(127.0.0.1:3306)/'   # MySQL/MariaDB: a database is created and dropped
#
# Environment: LABELS (default 1000000) labels to order, DURATION (10s) and CONNS (64) for
# wrk, ZIP_LABELS (20000) for the labels.zip throughput, ROUNDS (3) of interleaved wrk runs;
# PROFILE=FILE saves a CPU profile of gimark during the first verify run.
# OLD_BIN=PATH also measures another build of gimark (say, of an earlier commit) side by side:
# in every round it stops this build, runs PATH on the same database for one verify run,
# stops it, and starts this build again, so only one of them is ever running; the summary
# gives both medians and their ratio. Build it outside this tree, e.g.
#   git worktree add /tmp/old 8b6b0b3 && (cd /tmp/old && go build -o /tmp/gimark-old .)
# Needs wrk (Debian package "wrk").
# Traffic goes to 127.0.0.1 only; every loop is bounded.
set -euo pipefail
cd "$(dirname "$0")/.."

MYSQL_SERVER_DSN="${1:-}"
LABELS="${LABELS:-1000000}"
DURATION="${DURATION:-10s}"
CONNS="${CONNS:-64}"
ZIP_LABELS="${ZIP_LABELS:-20000}"
PORT=$((20000 + RANDOM % 10000))
BASE_PORT=$((30000 + RANDOM % 10000))
command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install wrk)"; exit 1; }

work=$(mktemp -d)
cleanup() {
  [ -n "${srv:-}" ] && kill "$srv" 2>/dev/null || true
  [ -n "${base:-}" ] && kill "$base" 2>/dev/null || true
  if [ -n "$MYSQL_SERVER_DSN" ]; then mariadb -h127.0.0.1 -uroot -e "DROP DATABASE IF EXISTS gimark_bench" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/gimark" . && go build -o "$work/baseline" ./bench/baseline

if [ -n "$MYSQL_SERVER_DSN" ]; then
  engine=mysql
  mariadb -h127.0.0.1 -uroot -e "DROP DATABASE IF EXISTS gimark_bench; CREATE DATABASE gimark_bench CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
  DSN="${MYSQL_SERVER_DSN%/}/gimark_bench?parseTime=true"
  export GIMARK_DB_DRIVER=mysql GIMARK_DB_DSN="$DSN"
else
  engine=sqlite
  DSN="$work/data/gimark.db"
  export GIMARK_DB_DRIVER=sqlite GIMARK_DB_DSN="$DSN"
fi
if [ -n "${PROFILE:-}" ]; then export GIMARK_PPROF_ADDR=127.0.0.1:$((PORT + 1)); fi
export GIMARK_ADDR=127.0.0.1:$PORT GIMARK_DATA_DIR="$work/data" GIMARK_ADMIN_PASSWORD=bench-admin-pass \
  GIMARK_VERIFY_RATE_PER_MIN=1000000 GIMARK_SCAN_WARN_THRESHOLD=1000000 GIMARK_LOG_LEVEL="${GIMARK_LOG_LEVEL:-warn}"

start_server() { # binary: start it on the bench's database and wait until it is ready
  "$1" >>"$work/server.log" 2>&1 &
  srv=$!
  for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
  curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null || { echo "bench: $1 did not start"; cat "$work/server.log"; exit 1; }
}
stop_server() { # and wait until it has written its scans and exited
  kill "$srv"
  wait "$srv" || true
  srv=
}
if [ -n "${OLD_BIN:-}" ]; then
  [ -x "$OLD_BIN" ] || { echo "bench: OLD_BIN=$OLD_BIN is not an executable"; exit 1; }
fi
start_server "$work/gimark"

B="http://127.0.0.1:$PORT/api/v1"; J='content-type: application/json'
tok() { sed 's/.*"access_token":"\([^"]*\)".*/\1/'; }
post() { curl -sf "$B$1" -H "$J" ${3:+-H "authorization: Bearer $3"} -d "$2"; }
ADMIN=$(post /auth/login '{"username":"admin","password":"bench-admin-pass"}' | tok)
post /products '{"name":"靖远枸杞","kind":"protected_product","reference_number":"示例公告号","region_code":"620421"}' "$ADMIN" >/dev/null
post /users '{"username":"rev","password":"bench-reviewer","role":"reviewer"}' "$ADMIN" >/dev/null
post /auth/register '{"username":"ent","password":"bench-enterprise","enterprise":{"uscc":"914403001922038216","name":"示例企业","legal_representative":"张三","address":"靖远县","region_code":"620421","contact_phone":"0943-6123456"}}' >/dev/null
ENT=$(post /auth/login '{"username":"ent","password":"bench-enterprise"}' | tok)
REV=$(post /auth/login '{"username":"rev","password":"bench-reviewer"}' | tok)
post /filings '{"product_id":1,"kind":"new","production_address":"靖远县","annual_output_kg":"1000"}' "$ENT" >/dev/null
printf '%%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%%%EOF\n' >"$work/doc.pdf"
for kind in business_license origin_proof; do   # submission needs both
  curl -sf "$B/filings/1/documents" -H "authorization: Bearer $ENT" -F kind=$kind -F file=@"$work/doc.pdf" >/dev/null
done
post /filings/1/submit '{}' "$ENT" >/dev/null
post /filings/1/approve '{}' "$REV" >/dev/null

rss() { awk '/VmRSS/ {print $2}' "/proc/$srv/status"; }
t0=$(date +%s.%N)
post /filings/1/label-batches "{\"quantity\":$LABELS}" "$ENT" >/dev/null
t1=$(date +%s.%N)
issue_s=$(echo "$t1 - $t0" | bc)

# codes.csv: sample the server's RSS while it streams the whole batch.
idle_rss=$(rss); peak=$idle_rss
curl -sf "$B/label-batches/1/codes.csv" -H "authorization: Bearer $ENT" -o "$work/codes.csv" &
dl=$!
while kill -0 $dl 2>/dev/null; do r=$(rss); [ "$r" -gt "$peak" ] && peak=$r; sleep 0.05; done
wait $dl
rows=$(($(wc -l <"$work/codes.csv") - 1))

# labels.zip throughput on a smaller batch.
post /filings/1/label-batches "{\"quantity\":$ZIP_LABELS}" "$ENT" >/dev/null
z0=$(date +%s.%N)
curl -sf "$B/label-batches/2/labels.zip?size=256" -H "authorization: Bearer $ENT" -o "$work/labels.zip"
z1=$(date +%s.%N)
zip_rate=$(echo "$ZIP_LABELS / ($z1 - $z0)" | bc)

# wrk picks a random issued code per request.
tail -n +2 "$work/codes.csv" | cut -d, -f2 | shuf -n 100000 >"$work/codes.txt"
cat >"$work/random.lua" <<LUA
local codes = {}
for line in io.lines("$work/codes.txt") do codes[#codes + 1] = line end
math.randomseed(os.time())
request = function()
  return wrk.format("GET", PREFIX .. codes[math.random(#codes)])
end
LUA
# CPU time (user + system, in clock ticks) a process has used so far.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
tck=$(getconf CLK_TCK)
dbpid=; [ $engine = mysql ] && dbpid=$(pgrep -o -x mariadbd || pgrep -o -x mysqld || true)
run_wrk() { # url-prefix port server-pid → "req/s p99_ms non-2xx server-µs/req database-µs/req"
  sed "s|PREFIX|\"$1\"|" "$work/random.lua" >"$work/r.lua"
  local s0 d0=0 s1 d1=0
  s0=$(ticks "$3"); [ -n "$dbpid" ] && d0=$(ticks "$dbpid")
  wrk -t2 -c"$CONNS" -d"$DURATION" --latency -s "$work/r.lua" "http://127.0.0.1:$2" >"$work/wrk.out"
  s1=$(ticks "$3"); [ -n "$dbpid" ] && d1=$(ticks "$dbpid")
  local total; total=$(awk '/requests in/ {print $1}' "$work/wrk.out")
  cpu_us="$(echo "($s1 - $s0) * 1000000 / $tck / $total" | bc) $(echo "($d1 - $d0) * 1000000 / $tck / $total" | bc)"
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.out")
  p99=$(awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us$/, "", v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/, "", v)} else if (v ~ /s$/) {sub(/s$/, "", v); v=v*1000}; print v "ms"}' "$work/wrk.out")
  non2xx=$(awk '/Non-2xx/ {print $5}' "$work/wrk.out")
  echo "$rps $p99 ${non2xx:-0} $cpu_us"
}
# The baseline's pool is as large as gimark's verification pool: one connection per core on
# SQLite, 8 on MySQL.
base_conns=8; [ $engine = sqlite ] && base_conns=$(nproc)
"$work/baseline" -addr 127.0.0.1:$BASE_PORT -driver $engine -dsn "$DSN" -conns "$base_conns" &
base=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$BASE_PORT/ping" >/dev/null && break; sleep 0.1; done

# The machine is shared and noisy: interleave the three measurements and keep medians.
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
: >"$work/ping" >"$work/lookup" >"$work/verify" >"$work/old"
for round in $(seq 1 "${ROUNDS:-3}"); do
  if [ -n "${OLD_BIN:-}" ]; then
    # The other build alone on the same database file, then this one again, fresh too.
    stop_server
    start_server "$OLD_BIN"
    run_wrk /api/v1/verify/ $PORT "$srv" >>"$work/old"
    stop_server
    start_server "$work/gimark"
  fi
  wrk -t2 -c"$CONNS" -d"$DURATION" "http://127.0.0.1:$BASE_PORT/ping" | awk '/Requests\/sec/ {print $2}' >>"$work/ping"
  run_wrk /lookup/ $BASE_PORT "$base" >>"$work/lookup"
  if [ -n "${PROFILE:-}" ] && [ "$round" = 1 ]; then
    curl -sf "http://$GIMARK_PPROF_ADDR/debug/pprof/profile?seconds=8" -o "$PROFILE" &
  fi
  run_wrk /api/v1/verify/ $PORT "$srv" >>"$work/verify"
  sleep 1 # let the scan buffer drain between rounds
done
p_rps=$(median <"$work/ping")
l_rps=$(cut -d' ' -f1 "$work/lookup" | median); l_p99=$(awk '{print $2}' "$work/lookup" | sed 's/ms//' | median)ms
v_rps=$(cut -d' ' -f1 "$work/verify" | median); v_p99=$(awk '{print $2}' "$work/verify" | sed 's/ms//' | median)ms
v_bad=$(awk '{s+=$3} END {print s+0}' "$work/verify")
echo "rounds (req/s p99 non-2xx server-µs/req database-µs/req):"; paste "$work/ping" "$work/lookup" "$work/verify" | sed 's/^/  ping | lookup | verify: /'
if [ -n "${OLD_BIN:-}" ]; then
  echo "rounds of OLD_BIN verify | this build's verify (req/s p99 non-2xx server-µs/req database-µs/req):"
  paste -d'|' "$work/old" "$work/verify" | awk -F'|' '{split($1,o," "); split($2,n," "); printf "  %s | %s   (%.0f %%)\n", $1, $2, 100*n[1]/o[1]}'
  o_rps=$(cut -d' ' -f1 "$work/old" | median); o_p99=$(awk '{print $2}' "$work/old" | sed 's/ms//' | median)ms
fi
echo
echo "== gimark labels bench ($engine, $(nproc) cores) =="
printf 'issue %d labels:            %.1f s  (target: <= %s s)\n' "$LABELS" "$issue_s" "$([ $engine = sqlite ] && echo 12 || echo 6)"
printf 'codes.csv %d rows:         RSS idle %d KiB, peak %d KiB, +%.1f MiB (target: < 64 MiB)\n' "$rows" "$idle_rss" "$peak" "$(echo "($peak - $idle_rss)/1024" | bc -l)"
printf 'labels.zip:                 %d labels/s at 256 px (target: >= 2000)\n' "$zip_rate"
printf 'bare gin /ping:             %s req/s\n' "$p_rps"
printf 'gin + 1 lookup (database/sql): %s req/s, p99 %s (%s connections)\n' "$l_rps" "$l_p99" "$base_conns"
printf 'gimark /api/v1/verify:      %s req/s, p99 %s, non-2xx %s\n' "$v_rps" "$v_p99" "$v_bad"
printf 'verify / lookup baseline:   %.0f %% (target: >= 80 %%); p99 %s against %s (target: <= 1.2x)\n' "$(echo "100 * $v_rps / $l_rps" | bc -l)" "$v_p99" "$l_p99"
printf 'verify p99 / baseline p99:  %.2f (target: <= 1.5)\n' "$(echo "${v_p99%ms} / ${l_p99%ms}" | bc -l)"
# Where the CPU goes: each process's CPU time over the requests it answered (medians).
l_cpu=$(cut -d' ' -f4 "$work/lookup" | median); l_db=$(cut -d' ' -f5 "$work/lookup" | median)
v_cpu=$(cut -d' ' -f4 "$work/verify" | median); v_db=$(cut -d' ' -f5 "$work/verify" | median)
if [ $engine = mysql ]; then
  printf 'CPU µs a request:           lookup baseline %s + database %s; verify %s + database %s\n' "$l_cpu" "$l_db" "$v_cpu" "$v_db"
else
  printf 'CPU µs a request:           lookup baseline %s; verify %s (the database is in the process)\n' "$l_cpu" "$v_cpu"
fi
if [ -n "${OLD_BIN:-}" ]; then
  printf 'OLD_BIN /api/v1/verify:     %s req/s, p99 %s\n' "$o_rps" "$o_p99"
  printf 'verify / OLD_BIN verify:    %.0f %% (medians; target: >= 95 %%)\n' "$(echo "100 * $v_rps / $o_rps" | bc -l)"
fi
# Every answer must also be recorded: a recorder that falls behind drops events, and its
# throughput would not be a fair figure.
dropped=$(curl -sf "http://127.0.0.1:$PORT/metrics" | awk '/^gimark_scan_events_dropped_total/ {print $2}')
printf 'scan events dropped:        %s (of every verification in the run)\n' "${dropped:-0}"
