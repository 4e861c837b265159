#!/usr/bin/env bash
# Install what is missing on a Debian/Ubuntu machine: system packages and the virtualenv.
# Idempotent and quick on the second run (a stamp records the installed requirements).
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PKGS="gcc gettext libpq-dev libsqlite3-dev libgdal32 libgeos-c1v5 libproj25
  libsqlite3-mod-spatialite postgresql postgresql-client postgresql-contrib postgis redis-server
  libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core"
[ "${WITH_BROWSER:-0}" = 1 ] && APT_PKGS="$APT_PKGS chromium chromium-driver poppler-utils"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Debian 12 names the GDAL runtime libgdal32; newer releases bump the soname.
resolve_pkg() {
  case "$1" in
    libgdal32) apt-cache show libgdal32 >/dev/null 2>&1 && echo libgdal32 \
                 || apt-cache search --names-only '^libgdal[0-9]+$' | awk '{print $1}' | sort | tail -1 ;;
    *) echo "$1" ;;
  esac
}

# The `postgis` package only *recommends* the server extension, and we install without
# recommends: name `postgresql-<major>-postgis-3` for the server that is (or will be) installed
# (postgresql-15-postgis-3 on Debian 12).
pg_major() {
  ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1 | grep . \
    || apt-cache depends postgresql 2>/dev/null | awk '/Depends: postgresql-[0-9]+$/ {sub("postgresql-", "", $2); print $2; exit}'
}
add_postgis_server() {
  local ver; ver=$(pg_major)
  [ -n "$ver" ] && APT_PKGS="$APT_PKGS postgresql-$ver-postgis-3"
  return 0
}
add_postgis_server
# For tests and the curious: which Debian packages this machine needs, then stop.
if [ "${1:-}" = "--print-packages" ]; then echo $APT_PKGS; exit 0; fi

missing=""
for p in $APT_PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "==> installing Debian packages:$missing"
  as_root apt-get update -q
  pkgs=""; for p in $missing; do pkgs="$pkgs $(resolve_pkg "$p")"; done
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $pkgs
  # PostgreSQL may have come in just now: make sure its PostGIS server extension is there too.
  ver=$(pg_major)
  if [ -n "$ver" ] && ! dpkg-query -W -f='${Status}' "postgresql-$ver-postgis-3" 2>/dev/null | grep -q "install ok installed"; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "postgresql-$ver-postgis-3"
  fi
fi

# A Python >= 3.11 whose sqlite3 can load extensions (SpatiaLite). pyenv builds cannot.
can_use() {
  "$1" - <<'PY' 2>/dev/null
import sqlite3, sys
assert sys.version_info >= (3, 11)
sqlite3.connect(":memory:").enable_load_extension(True)
PY
}
PY=${PYTHON:-}
if [ -z "$PY" ]; then
  for c in /usr/bin/python3 /usr/bin/python3.13 /usr/bin/python3.12 /usr/bin/python3.11; do
    if [ -x "$c" ] && can_use "$c"; then PY=$c; break; fi
  done
fi
if [ -z "$PY" ] || ! can_use "$PY"; then
  echo "ERROR: no Python >= 3.11 whose sqlite3 can load extensions (needed for SpatiaLite)." >&2
  echo "       Debian's /usr/bin/python3 works; set PYTHON=/path/to/python to choose one." >&2
  exit 1
fi
if ! "$PY" -c 'import venv, ensurepip' 2>/dev/null; then
  ver=$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "python$ver-venv"
fi

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv with $PY"
  "$PY" -m venv .venv
fi
stamp=.venv/.requirements.sha256
want=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "==> installing Python packages"
  # (grep drops pip's warnings about a local index path configured on some machines)
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip \
    2> >(grep -v "is ignored: it is neither" >&2)
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt \
    2> >(grep -v "is ignored: it is neither" >&2)
  echo "$want" > "$stamp"
fi

# Translations are compiled from the .po files in the repo.
.venv/bin/python manage.py compilemessages -v 0 --ignore=.venv >/dev/null
