#!/usr/bin/env bash
# Several gimark instances on one database and one Redis, on loopback ports: proof that the
# shared state and the label counts hold across instances (issue 18). Prints what it measured.
#
#   bash bench/cluster.sh                 # three instances on the MariaDB at 127.0.0.1:3306
#   GALERA=1 bash bench/cluster.sh        # then the same flows on a three-node Galera cluster
#
# Environment: MYSQL (mariadb client args, default "-h127.0.0.1 -P3306 -uroot"), REDIS_DB (9:
# the Redis database used and flushed), VERIFICATIONS (30000), LABELS (3000).
# Every loop is bounded; all processes are stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

MYSQL_ARGS="${MYSQL:--h127.0.0.1 -P3306 -uroot}"
REDIS_DB="${REDIS_DB:-9}"
VERIFICATIONS="${VERIFICATIONS:-30000}"
LABELS="${LABELS:-3000}"
DB=gimark_cluster
PORT0=$((21000 + RANDOM % 5000))
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  mariadb $MYSQL_ARGS -e "DROP DATABASE IF EXISTS $DB" 2>/dev/null || true
  [ -n "${GALERA_STOP:-}" ] && $GALERA_STOP || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "cluster: FAIL: $*"; for f in "$work"/inst*.log; do echo "--- $f"; tail -20 "$f"; done; exit 1; }

redis-cli -n "$REDIS_DB" ping >/dev/null || fail "Redis is not answering on 127.0.0.1:6379"
go build -o "$work/gimark" . && go build -o "$work/clusterload" ./bench/clusterload

# start_instance I DSN: instance I (0, 1, 2) on port PORT0+I, sharing secret, data folder and Redis.
declare -A PID
start_instance() {
  local i=$1 dsn=$2
  GIMARK_ADDR=127.0.0.1:$((PORT0 + i)) GIMARK_DB_DRIVER=mysql GIMARK_DB_DSN="$dsn" \
    GIMARK_DATA_DIR="$work/data" GIMARK_JWT_SECRET=cluster-bench-secret-cluster-bench-secret \
    GIMARK_ADMIN_PASSWORD=bench-admin-pass GIMARK_VERIFY_RATE_PER_MIN=1000000 \
    GIMARK_SCAN_WARN_THRESHOLD=1000000 GIMARK_REDIS_URL="redis://127.0.0.1:6379/$REDIS_DB" GIMARK_TRUSTED_PROXIES=127.0.0.1 \
    GIMARK_LOG_LEVEL=warn "$work/gimark" >>"$work/inst$i.log" 2>&1 &
  PID[$i]=$!; pids+=($!)
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$((PORT0 + i))/readyz" >/dev/null && return 0; sleep 0.1; done
  fail "instance $i did not start"
}
stop_instance() { # clean stop: SIGTERM, wait for the exit
  local p=${PID[$1]}
  kill -TERM "$p"; for _ in $(seq 1 300); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.1; done
  fail "instance $1 did not stop within 30 s"
}
url() { echo "http://127.0.0.1:$((PORT0 + $1))"; }

J='content-type: application/json'
tok() { sed 's/.*"access_token":"\([^"]*\)".*/\1/'; }
idof() { sed 's/^{"id":\([0-9]*\).*/\1/'; } # ids are not 1, 2, 3 on Galera (auto_increment_increment)
post() { curl -sf -m 120 "$(url "$1")/api/v1$2" -H "$J" ${4:+-H "authorization: Bearer $4"} -d "$3"; }
put() { curl -sf -m 120 -X PUT "$(url "$1")/api/v1$2" -H "$J" -H "authorization: Bearer $4" -d "$3"; }
status_of() { curl -s -m 30 -o /dev/null -w '%{http_code}' "$(url "$1")/api/v1$2" -H "$J" -d "$3"; }
sql() { mariadb $MYSQL_ARGS -N -e "$1" "$DB"; }

# setup I: on instance I, an approved filing with a batch of LABELS labels; codes in $work/codes.txt.
setup() {
  local i=$1
  ADMIN=$(post "$i" /auth/login '{"username":"admin","password":"bench-admin-pass"}' | tok)
  PRODUCT=$(post "$i" /products '{"name":"靖远枸杞","kind":"protected_product","reference_number":"示例公告号","region_code":"620421"}' "$ADMIN" | idof)
  post "$i" /users '{"username":"rev","password":"bench-reviewer","role":"reviewer"}' "$ADMIN" >/dev/null
  post "$i" /auth/register '{"username":"ent","password":"bench-enterprise","enterprise":{"uscc":"914403001922038216","name":"示例企业","legal_representative":"张三","address":"靖远县","region_code":"620421","contact_phone":"0943-6123456"}}' >/dev/null
  ENT=$(post "$i" /auth/login '{"username":"ent","password":"bench-enterprise"}' | tok)
  REV=$(post "$i" /auth/login '{"username":"rev","password":"bench-reviewer"}' | tok)
  FILING=$(post "$i" /filings "{\"product_id\":$PRODUCT,\"kind\":\"new\",\"production_address\":\"靖远县\",\"annual_output_kg\":\"1000\"}" "$ENT" | idof)
  printf '%%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%%%EOF\n' >"$work/doc.pdf"
  for kind in business_license origin_proof; do
    curl -sf "$(url "$i")/api/v1/filings/$FILING/documents" -H "authorization: Bearer $ENT" -F kind=$kind -F file=@"$work/doc.pdf" >/dev/null
  done
  post "$i" /filings/$FILING/submit '{}' "$ENT" >/dev/null
  post "$i" /filings/$FILING/approve '{}' "$REV" >/dev/null
  BATCH=$(post "$i" /filings/$FILING/label-batches "{\"quantity\":$LABELS}" "$ENT" | idof) || fail "order $LABELS labels"
  curl -sf "$(url "$i")/api/v1/label-batches/$BATCH/codes.csv" -H "authorization: Bearer $ENT" | tail -n +2 | cut -d, -f2 >"$work/codes.txt"
  [ "$(wc -l <"$work/codes.txt")" -eq "$LABELS" ] || fail "codes.csv has $(wc -l <"$work/codes.txt") codes, want $LABELS"
}

# compare: every label's count in the database against what the clients were answered.
compare() {
  sql "SELECT code, scan_count FROM labels WHERE code <> '$(head -1 "$work/codes.txt")' ORDER BY code" >"$work/db.tsv"
  awk -F'\t' '{n[$1]+=$3} END {for (c in n) print c "\t" n[c]}' "$work/answered.tsv" | sort >"$work/want.tsv"
  join -t$'\t' -a1 -e0 -o 0,1.2,2.2 "$work/db.tsv" "$work/want.tsv" >"$work/cmp.tsv"
}

if [ "${GALERA_ONLY:-}" != 1 ]; then
echo "== gimark cluster proof: three instances, one MariaDB, one Redis ($(nproc) cores) =="
mariadb $MYSQL_ARGS -e "DROP DATABASE IF EXISTS $DB; CREATE DATABASE $DB CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
redis-cli -n "$REDIS_DB" flushdb >/dev/null
DSN="root:@tcp(127.0.0.1:3306)/$DB?parseTime=true"
for i in 0 1 2; do start_instance $i "$DSN"; done
setup 0
echo "setup: approved filing, $LABELS labels, through instance A"

# 1. Six wrong passwords spread over the three instances lock the account on all of them.
for i in 0 1 2 0 1 2; do
  c=$(status_of $i /auth/login '{"username":"ent","password":"wrong-password-x"}')
  [ "$c" = 401 ] || [ "$c" = 429 ] || fail "wrong password answered $c"
done
locked=0
for i in 0 1 2; do
  [ "$(status_of $i /auth/login '{"username":"ent","password":"bench-enterprise"}')" = 429 ] && locked=$((locked + 1))
done
echo "login: 6 wrong passwords over A, B, C → right password refused (429 login_locked) on $locked of 3 instances"
[ $locked = 3 ] || fail "the lock is not shared"

# 2. A filing suspended through A: B and C answer filing_suspended within 1 s.
code=$(head -1 "$work/codes.txt")
for i in 1 2; do curl -sf "$(url $i)/api/v1/verify/$code" | grep -q '"result":"genuine"' || fail "instance $i does not verify $code as genuine"; done
t0=$(date +%s%N)
post 0 /filings/$FILING/suspend '{"reason":"抽检不合格"}' "$REV" >/dev/null
for i in 1 2; do
  ok=
  for _ in $(seq 1 200); do
    curl -sf "$(url $i)/api/v1/verify/$code" | grep -q filing_suspended && { ok=1; break; }
    sleep 0.005
  done
  ms=$((($(date +%s%N) - t0) / 1000000))
  [ -n "$ok" ] && [ $ms -le 1000 ] || fail "instance $i did not answer filing_suspended within 1 s ($ms ms)"
  echo "suspension: instance $((i + 1)) answers filing_suspended $ms ms after the suspension on A"
done
post 0 /filings/$FILING/reinstate '{}' "$REV" >/dev/null

# 3. 30,000 verifications over the three, clean stop: every count exact.
: >"$work/answered.tsv"
tail -n +2 "$work/codes.txt" >"$work/load.txt" # the suspension check's code has scans of its own
"$work/clusterload" -targets "$(url 0),$(url 1),$(url 2)" -codes "$work/load.txt" -n "$VERIFICATIONS" -conns 24 -out "$work/answered.tsv"
for i in 0 1 2; do stop_instance $i; done
compare
answered=$(awk -F'\t' '{s+=$3} END {print s}' "$work/answered.tsv")
counted=$(awk -F'\t' '{s+=$2} END {print s}' "$work/cmp.tsv")
wrong=$(awk -F'\t' '$2 != $3' "$work/cmp.tsv" | wc -l)
echo "counts after a clean stop: $answered verifications answered, $counted counted in labels, $wrong labels differ"
[ "$wrong" = 0 ] && [ "$answered" = "$VERIFICATIONS" ] || fail "counts differ"

# 4. kill -9 of one instance under load: the others keep answering; only its buffered scans
# are missing after it restarts. Half the clients go to the instances directly, half through
# HAProxy with deploy/haproxy.cfg (its addresses made loopback ones): the proxy's clients see
# no failure at all, since a request C never answered is sent again to another instance.
for i in 0 1 2; do start_instance $i "$DSN"; done
command -v haproxy >/dev/null || fail "haproxy is missing (apt-get install haproxy)"
PROXY=$((PORT0 + 50))
sed -e "s|bind :80|bind 127.0.0.1:$PROXY|" -e "s|maxconn 20000|maxconn 1000|" -e "s|10.0.0.11:8080|127.0.0.1:$PORT0|" \
  -e "s|10.0.0.12:8080|127.0.0.1:$((PORT0 + 1))|" -e "s|10.0.0.13:8080|127.0.0.1:$((PORT0 + 2))|" \
  deploy/haproxy.cfg >"$work/haproxy.cfg"
printf 'listen stats\n    bind 127.0.0.1:%s\n    stats enable\n    stats uri /stats\n' $((PROXY + 1)) >>"$work/haproxy.cfg"
haproxy -c -q -f "$work/haproxy.cfg" || fail "deploy/haproxy.cfg does not parse"
haproxy -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PROXY/readyz" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$PROXY/readyz" >/dev/null || fail "haproxy does not answer"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PROXY/metrics")" = 403 ] || fail "the proxy serves /metrics"
"$work/clusterload" -targets "$(url 0),$(url 1),$(url 2)" -codes "$work/load.txt" -duration 6s -conns 12 -out "$work/answered-direct.tsv" >"$work/kill.out" &
load=$!
"$work/clusterload" -targets "http://127.0.0.1:$PROXY" -codes "$work/load.txt" -duration 6s -conns 12 -out "$work/answered-proxy.tsv" >"$work/proxy.out" &
pload=$!
sleep 2
kill -9 "${PID[2]}"
wait $load $pload
cat "$work/answered-direct.tsv" "$work/answered-proxy.tsv" >>"$work/answered.tsv"
cat "$work/kill.out"
sed 's/^clusterload:/clusterload (through HAProxy):/' "$work/proxy.out"
grep -E "$(url 0) answered [1-9]" "$work/kill.out" | grep -q "failed 0" || fail "instance A failed requests while C was killed"
grep -E "$(url 1) answered [1-9]" "$work/kill.out" | grep -q "failed 0" || fail "instance B failed requests while C was killed"
grep -E "$PROXY answered [1-9]" "$work/proxy.out" | grep -q "failed 0" || fail "clients of the proxy saw failures while C was killed"
start_instance 2 "$DSN"
for i in 0 1 2; do stop_instance $i; done
compare
answered=$(awk -F'\t' '{s+=$3} END {print s}' "$work/answered.tsv")
counted=$(awk -F'\t' '{s+=$2} END {print s}' "$work/cmp.tsv")
over=$(awk -F'\t' '$2 > $3' "$work/cmp.tsv" | wc -l)
missing=$((answered - counted))
c_direct=$(awk -v u="$(url 2)" '$2 == u {gsub(",", "", $4); print $4}' "$work/kill.out")
# What the proxy had C answer (its 2xx count for server c).
c_proxied=$(curl -sf "http://127.0.0.1:$((PROXY + 1))/stats;csv" | awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == "hrsp_2xx") col = i; next}
  $1 == "gimark" && $2 == "c" {print $col}')
c_rate=$((c_direct + ${c_proxied:-0}))
echo "kill -9: C answered $c_direct clients directly and $c_proxied through the proxy"
echo "kill -9 of C under load: $answered answered in all, $counted counted, $missing missing (C's buffered scans), $over labels over-counted"
[ "$over" = 0 ] || fail "a label was counted more often than answered"
# What C may have had buffered: one 200 ms flush interval at its answer rate (plus a batch).
c_per_s=$(echo "$c_rate / 2" | bc)   # C answered for the 2 s before it was killed
bound=$((c_per_s / 5 + 1000))
echo "kill -9: C answered $c_rate in the 2 s before the kill (~$c_per_s/s); its buffer at most one flush: ~$((c_per_s / 5)) (bound used: $bound)"
[ "$missing" -le "$bound" ] || fail "$missing scans missing, more than one flush's worth"
fi # GALERA_ONLY

[ "${GALERA:-}" = 1 ] || { echo "cluster: OK (set GALERA=1 for the Galera part)"; exit 0; }

# ---- A three-node MariaDB Galera cluster (Debian galera-4), each node its own mariadbd with
# its own --defaults-file and data folder, run as the mysql user (rsync state transfer fails
# as root), with explicit gmcast.listen_addr, ist.recv_addr and wsrep_sst_receive_address (the
# defaults collide on one host).
echo
echo "== Galera: three nodes on loopback, one gimark instance on each =="
[ -f /usr/lib/galera/libgalera_smm.so ] || fail "galera-4 is not installed"
chmod 711 "$work"; gdir="$work/galera"; mkdir -p "$gdir"; chown mysql:mysql "$gdir"
GP=$((PORT0 + 100))  # node i: SQL GP+i, gcomm GP+10+i, IST GP+20+i, SST GP+30+i
for i in 0 1 2; do
  mkdir -p "$gdir/n$i"; chown mysql:mysql "$gdir/n$i"
  cat >"$gdir/n$i.cnf" <<CNF
[mysqld]
user=mysql
datadir=$gdir/n$i
socket=$gdir/n$i.sock
pid-file=$gdir/n$i.pid
log-error=$gdir/n$i.err
port=$((GP + i))
bind-address=127.0.0.1
binlog_format=ROW
default_storage_engine=InnoDB
innodb_autoinc_lock_mode=2
innodb_buffer_pool_size=64M
innodb_log_file_size=48M
local_infile=1
max_allowed_packet=64M
wsrep_on=ON
wsrep_provider=/usr/lib/galera/libgalera_smm.so
wsrep_cluster_name=gimark_bench
wsrep_cluster_address=gcomm://127.0.0.1:$((GP + 10)),127.0.0.1:$((GP + 11)),127.0.0.1:$((GP + 12))
wsrep_node_name=n$i
wsrep_node_address=127.0.0.1
wsrep_provider_options="gmcast.listen_addr=tcp://127.0.0.1:$((GP + 10 + i));ist.recv_addr=127.0.0.1:$((GP + 20 + i));gcache.size=256M"
wsrep_sst_method=rsync
wsrep_sst_receive_address=127.0.0.1:$((GP + 30 + i))
CNF
done
declare -A GPID
gsql() { local i=$1; shift; mariadb --socket="$gdir/n$i.sock" -uroot -N "$@"; }
node_synced() { [ "$(gsql "$1" -e "SHOW STATUS LIKE 'wsrep_local_state_comment'" 2>/dev/null | cut -f2)" = Synced ]; }
start_node() { # start_node I [--wsrep-new-cluster]
  local i=$1; shift
  mariadbd --defaults-file="$gdir/n$i.cnf" "$@" >>"$gdir/n$i.out" 2>&1 &
  GPID[$i]=$!
  for _ in $(seq 1 600); do node_synced "$i" && return 0; sleep 0.1; done
  tail -30 "$gdir/n$i.err"; fail "Galera node $i did not reach Synced"
}
galera_stop() { for i in 0 1 2; do [ -n "${GPID[$i]:-}" ] && kill "${GPID[$i]}" 2>/dev/null; done; sleep 2; }
GALERA_STOP=galera_stop
t0=$(date +%s.%N)
mariadb-install-db --defaults-file="$gdir/n0.cnf" --user=mysql --auth-root-authentication-method=socket >"$gdir/install.out" 2>&1 || { cat "$gdir/install.out"; fail "mariadb-install-db"; }
start_node 0 --wsrep-new-cluster
start_node 1
start_node 2
t1=$(date +%s.%N)
size=$(gsql 0 -e "SHOW STATUS LIKE 'wsrep_cluster_size'" | cut -f2)
rss=$(for i in 0 1 2; do awk '/VmRSS/ {print $2}' /proc/${GPID[$i]}/status; done | awk '{s+=$1} END {printf "%.0f", s/NR/1024}')
printf 'galera: %s nodes Synced in %.1f s (rsync state transfer), %s MiB RSS a node\n' "$size" "$(echo "$t1 - $t0" | bc)" "$rss"
[ "$size" = 3 ] || fail "cluster size $size"
gsql 0 -e "CREATE USER 'gimark'@'127.0.0.1' IDENTIFIED BY 'gimark-bench'; GRANT ALL ON *.* TO 'gimark'@'127.0.0.1'; CREATE DATABASE $DB CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
gdsn() { echo "gimark:gimark-bench@tcp(127.0.0.1:$((GP + $1)))/$DB?parseTime=true"; }

# The storage tests of filings, labels and sales run against node 1 (each creates and drops
# its own database; DDL replicates through the cluster).
t0=$(date +%s)
if ! GIMARK_TEST_MYSQL_DSN="gimark:gimark-bench@tcp(127.0.0.1:$((GP + 1)))/" go test -count=1 -v \
    -run 'TestFiling|TestApprove|TestLabel|TestOrder|TestVerify|TestSales' ./api/ >"$work/galera-tests.out" 2>&1; then
  grep -E -- '--- FAIL|_test.go' "$work/galera-tests.out" | head -30; fail "the filing, label and sales tests failed on Galera"
fi
echo "galera: filing, label, verification and sales API tests pass against node 2: $(grep -cE -- '--- PASS: .*/mysql' "$work/galera-tests.out") MySQL subtests in $(( $(date +%s) - t0 )) s"

redis-cli -n "$REDIS_DB" flushdb >/dev/null
: >"$work/inst0.log"; : >"$work/inst1.log"; : >"$work/inst2.log"
for i in 0 1 2; do start_instance $i "$(gdsn $i)"; done
MYSQL_ARGS="--socket=$gdir/n0.sock -uroot"
noprimary=$(gsql 0 -e "SELECT COUNT(*) FROM information_schema.tables t WHERE t.table_schema = '$DB' AND NOT EXISTS (SELECT 1 FROM information_schema.table_constraints c WHERE c.table_schema = t.table_schema AND c.table_name = t.table_name AND c.constraint_type = 'PRIMARY KEY')")
echo "galera: tables without a primary key: $noprimary"
[ "$noprimary" = 0 ] || fail "a table has no primary key"
setup 0
echo "galera: setup (filing approved, $LABELS labels) through instance A on node 1"

# 12 concurrent approvals of one filing, spread over the three nodes: exactly one winner.
P2=$(post 0 /products '{"name":"白银蜜瓜","kind":"protected_product","reference_number":"示例公告号2","region_code":"620421"}' "$ADMIN" | idof)
F2=$(post 1 /filings "{\"product_id\":$P2,\"kind\":\"new\",\"production_address\":\"靖远县\",\"annual_output_kg\":\"500\"}" "$ENT" | idof)
for kind in business_license origin_proof; do
  curl -sf "$(url 1)/api/v1/filings/$F2/documents" -H "authorization: Bearer $ENT" -F kind=$kind -F file=@"$work/doc.pdf" >/dev/null
done
post 2 /filings/$F2/submit '{}' "$ENT" >/dev/null
approvers=()
for k in $(seq 0 11); do
  curl -s -o /dev/null -w '%{http_code}\n' "$(url $((k % 3)))/api/v1/filings/$F2/approve" -H "$J" -H "authorization: Bearer $REV" -d '{}' >"$work/approve.$k" &
  approvers+=($!)
done
wait "${approvers[@]}" || true
won=$(cat "$work"/approve.* | grep -c '^200$' || true)
lost=$(cat "$work"/approve.* | grep -c '^409$' || true)
events=$(for i in 0 1 2; do gsql $i -e "SET SESSION wsrep_sync_wait=1; SELECT COUNT(*) FROM $DB.audit_events WHERE object_type='filing' AND object_id=$F2 AND action LIKE '%approve%'"; done | sort -u | tr '\n' ' ')
echo "galera: 12 concurrent approvals over 3 nodes → $won answered 200, $lost answered 409; approval events on each node: $events"
[ "$won" = 1 ] && [ "$lost" = 11 ] && [ "$events" = "1 " ] || fail "approvals: want exactly one winner and one event on every node"

# A 100,000-label batch ordered through node 2, whole on every node; and at once verified
# through node 3 (verification re-reads an unknown code with wsrep_sync_wait).
t0=$(date +%s.%N)
bid=$(post 1 /filings/$FILING/label-batches '{"quantity":100000}' "$ENT" | idof)
first=$(gsql 1 -e "SELECT code FROM $DB.labels WHERE batch_id = $bid ORDER BY id DESC LIMIT 1")
ans=$(curl -s "$(url 2)/api/v1/verify/$first" | sed 's/.*"result":"\([a-z_]*\)".*/\1/')
t1=$(date +%s.%N)
counts=$(for i in 0 1 2; do gsql $i -e "SET SESSION wsrep_sync_wait=1; SELECT COUNT(*) FROM $DB.labels WHERE batch_id = $bid"; done | tr '\n' ' ')
printf 'galera: 100000-label batch through node 2 in %.1f s; labels on nodes 1, 2, 3 (causal reads): %s; its last code verified at once through node 3: %s\n' "$(echo "$t1 - $t0" | bc)" "$counts" "$ans"
[ "$counts" = "100000 100000 100000 " ] || fail "the batch is not whole on every node"
[ "$ans" = genuine ] || fail "a code ordered through node 2 was not found at once through node 3"

# Kill node 3 (kill -9), write through the others, restart it after --wsrep-recover: it
# rejoins with the missed transactions; nothing lost or doubled.
kill -9 "${GPID[2]}"; wait "${GPID[2]}" 2>/dev/null || true
t0=$(date +%s.%N)
post 0 /filings/$FILING/label-batches '{"quantity":1000}' "$ENT" >/dev/null || fail "order while node 3 is down"
t1=$(date +%s.%N)
printf 'galera: node 3 killed; the first write after it took %.1f s\n' "$(echo "$t1 - $t0" | bc)"
put 1 /sales-records '{"records":[{"product_id":'$PRODUCT',"period":"2026-01","channel":"offline","amount_cny":"1000.00","quantity_kg":"10"}]}' "$ENT" >/dev/null || fail "sales while node 3 is down"
mariadbd --defaults-file="$gdir/n2.cnf" --wsrep-recover >>"$gdir/n2.out" 2>&1 || true
pos=$(grep -o 'Recovered position: .*' "$gdir/n2.err" | tail -1)
t0=$(date +%s.%N)
start_node 2
t1=$(date +%s.%N)
how=$(grep -q "IST received" "$gdir/n2.err" && echo "incremental state transfer: only the missed transactions" || echo "full state transfer")
printf 'galera: node 3 restarted (%s), Synced after %.1f s by %s\n' "$pos" "$(echo "$t1 - $t0" | bc)" "$how"
put 2 /sales-records '{"records":[{"product_id":'$PRODUCT',"period":"2026-02","channel":"offline","amount_cny":"2000.00","quantity_kg":"20"}]}' "$ENT" >/dev/null || fail "sales through node 3 after its restart"
sleep 1
for i in 0 1 2; do
  gsql $i -e "SET SESSION wsrep_sync_wait=1; SELECT (SELECT COUNT(*) FROM $DB.labels), (SELECT COUNT(DISTINCT code) FROM $DB.labels), (SELECT COUNT(*) FROM $DB.sales_records), (SELECT COUNT(*) FROM $DB.audit_events WHERE action LIKE '%approve%'), (SELECT COUNT(*) FROM $DB.label_batches)" | tr '\t' ' '
done >"$work/nodes.txt"
echo "galera: labels, distinct codes, sales records, approvals, batches on each node:"; sed 's/^/  /' "$work/nodes.txt"
[ "$(sort -u "$work/nodes.txt" | wc -l)" = 1 ] || fail "the nodes differ"
want=$((LABELS + 100000 + 1000))
read -r nl nd ns na nb <"$work/nodes.txt"
[ "$nl" = "$want" ] && [ "$nd" = "$want" ] && [ "$ns" = 2 ] && [ "$nb" = 3 ] || fail "lost or doubled records (want $want labels, 2 sales records, 3 batches)"
for i in 0 1 2; do stop_instance $i; done
echo "cluster: OK (three instances, and Galera)"
