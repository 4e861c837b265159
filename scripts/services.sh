#!/usr/bin/env bash
# Make sure PostgreSQL (with PostGIS) and Redis answer on 127.0.0.1: use running ones, start them
# when they are down, create the project's role and database once.
set -euo pipefail
cd "$(dirname "$0")/.."
PG_USER=${PG_USER:-pichanaki}
PG_DB=${PG_DB:-pichanaki}
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
as_postgres() { as_root su postgres -c "$1"; }

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  if ! pg_lsclusters -h | grep -q .; then
    ver=$(ls /usr/lib/postgresql | sort -n | tail -1)
    as_root pg_createcluster "$ver" main
  fi
  read -r ver name _ < <(pg_lsclusters -h | head -1)
  echo "==> starting PostgreSQL $ver/$name"
  as_root pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start
  for _ in $(seq 50); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.2; done
fi
# SUPERUSER: Django's test runner creates the postgis/btree_gist extensions in the test database.
as_postgres "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='$PG_USER'\"" | grep -q 1 || \
  as_postgres "psql -q -c \"CREATE ROLE $PG_USER LOGIN PASSWORD '$PG_USER' SUPERUSER\""
as_postgres "psql -tAc \"SELECT 1 FROM pg_database WHERE datname='$PG_DB'\"" | grep -q 1 || \
  as_postgres "createdb -O $PG_USER $PG_DB"
as_postgres "psql -q -d $PG_DB -c 'CREATE EXTENSION IF NOT EXISTS postgis; CREATE EXTENSION IF NOT EXISTS btree_gist'"

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "==> starting Redis"
  mkdir -p "$PWD/.run"
  redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save '' --appendonly no \
    --pidfile "$PWD/.run/redis.pid" --logfile "$PWD/.run/redis.log" --dir "$PWD/.run"
  for _ in $(seq 50); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 0.1; done
fi
