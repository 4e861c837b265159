#!/usr/bin/env bash
# Everything `make test` needs, then lint, type check, migrations check and the whole suite twice:
# on PostGIS with a real Redis broker, and on the SpatiaLite embedded default.
set -euo pipefail
cd "$(dirname "$0")/.."
WITH_BROWSER=1 scripts/bootstrap.sh
scripts/services.sh

# Tests never touch the developer's data: their own Redis database and a settings flag.
PG_URL=${TEST_DATABASE_URL:-postgis://pichanaki:pichanaki@127.0.0.1:5432/pichanaki}
REDIS_URL_TEST=${TEST_BROKER_URL:-redis://127.0.0.1:6379/15}
unset DATABASE_URL CELERY_BROKER_URL

echo "==> ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "==> mypy (strict on the engine, services and selectors; see pyproject.toml)"
.venv/bin/mypy
echo "==> makemigrations --check"
DATABASE_URL=$PG_URL .venv/bin/python manage.py makemigrations --check --dry-run
status=0
# Two processes per half (pytest-xdist), one per core; tests of the one shared test Redis
# database go to one process together (tests/conftest.py). The slowest tests are printed.
XDIST=(-n "${TEST_PROCESSES:-2}" --dist loadgroup --durations=15)
echo "==> pytest on PostGIS + Redis"
DATABASE_URL=$PG_URL CELERY_BROKER_URL=$REDIS_URL_TEST TEST_BROKER_URL=$REDIS_URL_TEST \
  .venv/bin/pytest -p no:cacheprovider "${XDIST[@]}" "$@" || status=$?
# One after the other: run side by side, the halves failed broker and port-binding tests (most
# likely racing for private Redis ports and fixed ports), so they share no resource in time.
echo "==> pytest on the embedded default (SpatiaLite, eager Celery)"
TEST_BROKER_URL=$REDIS_URL_TEST .venv/bin/pytest -p no:cacheprovider "${XDIST[@]}" "$@" || status=$?
exit $status
