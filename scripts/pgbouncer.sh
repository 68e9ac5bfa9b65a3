#!/usr/bin/env bash
# A throwaway PgBouncer for tests, CI and the pooler load test: transaction pooling, PgBouncer's defaults
# otherwise, in front of the PostgreSQL at PG_HOST:PG_PORT (default 127.0.0.1:5432, trust auth).
#
#   scripts/pgbouncer.sh start   # prints `export PGBOUNCER_URL=…` (eval it); state in $PGBOUNCER_DIR
#   scripts/pgbouncer.sh stop
#
# Databases: `*` forwards any database name to the same name on PostgreSQL (tests create one database per
# run through the direct connection; PgBouncer refuses the `options` start-up parameter that schema-per-test
# isolation uses). `ouc_pooler_load_<port>` gets a pool of 4 server connections for `npm run bench:pooler`
# (named per instance, so two runs on one machine do not share the load database).
# PgBouncer refuses to run as root, so as root it runs as `postgres`.
# @see https://www.pgbouncer.org/config.html
set -euo pipefail

DIR="${PGBOUNCER_DIR:-${TMPDIR:-/tmp}/ouc-pgbouncer}"
PG_HOST="${PG_HOST:-127.0.0.1}"
PG_PORT="${PG_PORT:-5432}"
PG_USER="${PG_USER:-postgres}"
LOAD_POOL_SIZE="${LOAD_POOL_SIZE:-4}"

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  command -v pgbouncer >/dev/null || { echo "pgbouncer is not installed (Debian: apt-get install -y pgbouncer)" >&2; exit 1; }
  if [ -f "$DIR/pgbouncer.pid" ] && kill -0 "$(cat "$DIR/pgbouncer.pid")" 2>/dev/null; then
    echo "export PGBOUNCER_URL=$(cat "$DIR/url")"
    return
  fi
  mkdir -p "$DIR"
  local port
  port="$(free_port)"
  # trust: no password check, but PgBouncer still only admits users listed in auth_file.
  printf '"%s" ""\n' "$PG_USER" >"$DIR/userlist.txt"
  cat >"$DIR/pgbouncer.ini" <<INI
[databases]
ouc_pooler_load_$port = host=$PG_HOST port=$PG_PORT pool_size=$LOAD_POOL_SIZE
* = host=$PG_HOST port=$PG_PORT

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $DIR/userlist.txt
admin_users = $PG_USER
pool_mode = transaction
logfile = $DIR/pgbouncer.log
pidfile = $DIR/pgbouncer.pid
INI
  [ "$(id -u)" = 0 ] && chown -R postgres "$DIR"
  as_owner pgbouncer -d "$DIR/pgbouncer.ini"
  for _ in $(seq 1 50); do
    (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
  done
  local url="postgres://$PG_USER@127.0.0.1:$port/${PG_DB:-test}"
  echo "$url" >"$DIR/url"
  echo "export PGBOUNCER_URL=$url"
}

stop() {
  if [ -f "$DIR/pgbouncer.pid" ]; then
    kill "$(cat "$DIR/pgbouncer.pid")" 2>/dev/null || true
    for _ in $(seq 1 50); do [ -f "$DIR/pgbouncer.pid" ] || break; sleep 0.1; done
  fi
  rm -rf "$DIR"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
