#!/usr/bin/env bash
# `make bench`: every benchmark in bench/ on PostGIS (and Redis), printing its own figures and
# ratios against a floor measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
scripts/services.sh
export DATABASE_URL=${BENCH_DATABASE_URL:-postgis://pichanaki:pichanaki@127.0.0.1:5432/pichanaki_bench}
export CELERY_BROKER_URL=${BENCH_BROKER_URL:-redis://127.0.0.1:6379/14}
PG_DB=pichanaki_bench scripts/services.sh
.venv/bin/python manage.py migrate --noinput -v 0
status=0
for b in bench/bench_*.py; do
  echo "==> $b"
  .venv/bin/python "$b" || status=$?
done
exit $status
