#!/usr/bin/env bash
# A database made and filled by an earlier main migrates forward with nothing lost:
#   scripts/migrate_forward.sh [REF]      (REF: the earlier commit; default: the last main
#                                          before the calculation models moved to quantification)
# The earlier code (from git, into a temporary folder) migrates a fresh PostGIS database and
# loads the demo: runs, issuances, sales, retirements, distributions and payments. Each code
# version then summarises the database with its own tests/pichanaki/restore_probe.py: ledger
# invariants, each project's hash chain, and for every approved run its stored input hash, the
# hash recomputed from the field data, and a digest of every result row. This code migrates
# the database forward; the two summaries must be identical and `verify_ledger` must pass.
set -euo pipefail
cd "$(dirname "$0")/.."
REF=${1:-f1c54b8}
DB=${FORWARD_DB:-pichanaki_forward}
URL=postgis://pichanaki:pichanaki@127.0.0.1:5432/$DB
ADMIN=postgresql://pichanaki:pichanaki@127.0.0.1:5432/postgres
export PGOPTIONS="--client-min-messages=warning"
PY=$PWD/.venv/bin/python
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; psql -q "$ADMIN" -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true' EXIT

git cat-file -e "$REF^{commit}" 2>/dev/null || { echo "no commit $REF in this clone" >&2; exit 2; }
git archive "$REF" | tar -x -C "$tmp"
psql -q "$ADMIN" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
psql -q "${URL/postgis/postgresql}" -c "CREATE EXTENSION IF NOT EXISTS postgis" \
  -c "CREATE EXTENSION IF NOT EXISTS btree_gist" >/dev/null
probe='from tests.pichanaki.restore_probe import main; main()'
# Eager Celery (no broker variable) and the earlier code's own media folder.
run_env=(env -u CELERY_BROKER_URL DATABASE_URL="$URL" MEDIA_ROOT="$tmp/media" DEMO_PASSWORD=forward)

echo "==> $REF: migrate and load the demo"
(cd "$tmp" && "${run_env[@]}" "$PY" manage.py migrate --noinput -v 0 \
  && "${run_env[@]}" "$PY" manage.py seed_demo >/dev/null \
  && "${run_env[@]}" "$PY" manage.py shell -c "$probe" >"$tmp/before.json")
echo "==> $(git rev-parse --short HEAD): migrate forward"
"${run_env[@]}" "$PY" manage.py migrate --noinput -v 0
"${run_env[@]}" "$PY" manage.py shell -c "$probe" >"$tmp/after.json"
"${run_env[@]}" "$PY" manage.py verify_ledger
"$PY" - "$tmp/before.json" "$tmp/after.json" <<'PY'
import json, sys
def last_json(path):  # the probe's line; anything the demo logged before it is skipped
    return json.loads([line for line in open(path) if line.startswith("{")][-1])
before, after = (last_json(p) for p in sys.argv[1:3])
runs = before.get("runs", {})
# What both versions summarise must be identical; what only this version knows (e.g. payment
# chains, built from existing events by a migration) must be intact.
common = {key: after[key] for key in before}
new_parts = {key: value for key, value in after.items() if key not in before}
broken = [f"{key} {pid}: {chain['break']}" for key, chains in new_parts.items()
          for pid, chain in chains.items() if chain.get("break") != "None"]  # fmt: skip
print(f"approved runs: {len(runs)}; credit chains: {len(before['chains'])}; "
      f"invariants before/after: {before['invariants']}/{after['invariants']}; "
      f"new after migrating: {', '.join(f'{k} ({len(v)})' for k, v in new_parts.items()) or 'none'}")
if before != common or after["invariants"] != "ok" or not runs or broken:
    print("MIGRATED DATABASE DIFFERS:", broken, json.dumps({"before": before, "after": after}, indent=1))
    sys.exit(1)
print("migrate forward: identical ledger, chains, run input hashes and results")
PY
