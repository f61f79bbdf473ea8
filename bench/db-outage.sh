#!/usr/bin/env bash
# Fault: the database goes away and comes back. Starts gimark on MariaDB, stops MariaDB, and
# checks that /readyz says so and requests fail fast with 503 problem+json instead of hanging;
# starts MariaDB again and checks the service recovers without a restart.
#
#   bash bench/db-outage.sh      # needs a local MariaDB it may stop (CI runs it last)
set -euo pipefail
cd "$(dirname "$0")/.."

mysql_up() { mariadb-admin --protocol=tcp -h127.0.0.1 -P3306 -uroot ping >/dev/null 2>&1; }
start_mariadb() {
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  for _ in $(seq 1 60); do mysql_up && return 0; sleep 1; done
  return 1
}
work=$(mktemp -d)
cleanup() {
  [ -n "${srv:-}" ] && kill "$srv" 2>/dev/null || true
  mysql_up || start_mariadb || true
  mariadb -h127.0.0.1 -uroot -e "DROP DATABASE IF EXISTS gimark_outage" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
mysql_up || start_mariadb
mariadb -h127.0.0.1 -uroot -e "DROP DATABASE IF EXISTS gimark_outage; CREATE DATABASE gimark_outage CHARACTER SET utf8mb4"

go build -o "$work/gimark" .
PORT=$((40000 + RANDOM % 10000))
GIMARK_DB_DRIVER=mysql GIMARK_DB_DSN='root:@tcp(127.0.0.1:3306)/gimark_outage' GIMARK_ADDR=127.0.0.1:$PORT \
  GIMARK_DATA_DIR="$work" GIMARK_ADMIN_PASSWORD=admin-password-1 GIMARK_LOG_LEVEL=warn "$work/gimark" >"$work/log" 2>&1 &
srv=$!
B="http://127.0.0.1:$PORT"
for _ in $(seq 1 100); do curl -sf "$B/readyz" >/dev/null && break; sleep 0.1; done
status() { curl -s -o "$work/body" -w '%{http_code} %{time_total}\n' --max-time 20 "$@"; }
login() { status "$B/api/v1/auth/login" -H 'content-type: application/json' -d '{"username":"admin","password":"admin-password-1"}'; }

read -r code _ < <(status "$B/readyz"); [ "$code" = 200 ] || { echo "outage: not ready at start ($code)"; exit 1; }
echo "outage: stopping MariaDB"
mariadb-admin --protocol=tcp -h127.0.0.1 -uroot shutdown
for _ in $(seq 1 60); do pgrep -x mariadbd >/dev/null || break; sleep 0.5; done  # fully gone

read -r code secs < <(status "$B/readyz")
echo "outage: /readyz with the database down: $code in ${secs}s"
[ "$code" = 503 ] || { echo "outage: /readyz did not report the outage"; exit 1; }
read -r code secs < <(login)
echo "outage: sign-in with the database down: $code in ${secs}s ($(head -c 120 "$work/body"))"
[ "$code" = 503 ] && grep -q '"code":"database_unavailable"' "$work/body" || { echo "outage: expected a 503 problem"; exit 1; }
awk -v s="$secs" 'BEGIN { exit !(s < 10) }' || { echo "outage: the request hung (${secs}s)"; exit 1; }

echo "outage: starting MariaDB again"
start_mariadb
for _ in $(seq 1 50); do read -r code _ < <(status "$B/readyz"); [ "$code" = 200 ] && break; sleep 0.2; done
echo "outage: /readyz after the database came back: $code"
[ "$code" = 200 ] || exit 1
read -r code _ < <(login)
echo "outage: sign-in after recovery: $code"
[ "$code" = 200 ] || { cat "$work/log" | tail -5; exit 1; }
echo "outage: recovered without a restart"
