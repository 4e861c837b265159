#!/usr/bin/env bash
# `make run`: install what is missing, migrate, load the demo once, serve on 127.0.0.1:8000.
# Embedded default (no env vars): SpatiaLite in var/ and Celery in eager mode.
# With DATABASE_URL=postgis://... and CELERY_BROKER_URL=redis://... a worker runs beside the server.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
case "${DATABASE_URL:-}${CELERY_BROKER_URL:-}" in
  *127.0.0.1*|*localhost*) scripts/services.sh ;;
esac
mkdir -p var .run
PY=.venv/bin/python
# Where the server listens; settings derive the printed links and PUBLIC_BASE_URL from it.
export BIND=${BIND:-127.0.0.1:8000}
$PY manage.py migrate --noinput -v 0
$PY manage.py seed_demo --if-empty
$PY manage.py ensure_demo_users

WORKER=""
if [ -n "${CELERY_BROKER_URL:-}" ]; then
  .venv/bin/celery -A pichanaki worker -B -l info -c 2 > .run/worker.log 2>&1 &
  WORKER=$!
  echo "==> Celery worker (pid $WORKER), log in .run/worker.log"
fi
# TERM, not INT: background jobs of a non-interactive shell ignore SIGINT.
trap '[ -n "$WORKER" ] && kill -TERM $WORKER 2>/dev/null; wait 2>/dev/null || true' EXIT INT TERM
$PY manage.py runserver "$BIND"
