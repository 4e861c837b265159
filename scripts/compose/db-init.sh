#!/usr/bin/env bash
# The docker compose deployment's database, roles and extensions. The postgis image runs it once,
# on an empty data volume (mounted into /docker-entrypoint-initdb.d/), as its superuser
# ($POSTGRES_USER), after its own 10_postgis.sh. tests/pichanaki/test_db_roles.py runs it against
# the local server.
#
# - $PICHANAKI_OWNER (pichanaki_owner) owns the database, the public schema and so every table:
#   it runs `manage.py migrate` (the compose `migrate` service) and `make restore`. A table's
#   owner can disable or drop its triggers, so its password stays out of the running services.
# - $PICHANAKI_APP_USER (pichanaki) is what web, worker and beat connect as: no superuser (which
#   could `SET session_replication_role = replica`), no owner (`ALTER TABLE … DISABLE TRIGGER`),
#   no TRUNCATE (the append-only triggers fire on UPDATE and DELETE only), no CREATE in the
#   schema: SELECT, INSERT, UPDATE, DELETE on the owner's tables and their sequences, given by
#   default privileges to every table a migration creates.
# - postgis is not a trusted extension (only a superuser may create it) and btree_gist, though
#   trusted, is created here too: both then belong to the administrator, and migrate finds them.
#
# Passwords are read from the environment by psql (\getenv), never put on a command line. Role and
# database names can be changed (PICHANAKI_OWNER, PICHANAKI_APP_USER, PICHANAKI_DB) for tests.
# The body runs in a subshell: the image sources the script instead of running it when the file
# is not executable, and its shell options must not leak into the image's entrypoint.
pichanaki_init() (
set -Eeuo pipefail
: "${PICHANAKI_OWNER_PASSWORD:?set PICHANAKI_OWNER_PASSWORD}"
: "${PICHANAKI_APP_PASSWORD:?set PICHANAKI_APP_PASSWORD}"

pichanaki_psql() {
  psql -v ON_ERROR_STOP=1 --no-psqlrc -q --username "${POSTGRES_USER:-postgres}" \
    -v db="${PICHANAKI_DB:-pichanaki}" -v owner="${PICHANAKI_OWNER:-pichanaki_owner}" \
    -v app="${PICHANAKI_APP_USER:-pichanaki}" "$@"
}

pichanaki_psql --dbname postgres <<'SQL'
\getenv owner_password PICHANAKI_OWNER_PASSWORD
\getenv app_password PICHANAKI_APP_PASSWORD
CREATE ROLE :"owner" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
    PASSWORD :'owner_password';
CREATE ROLE :"app" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
    PASSWORD :'app_password';
CREATE DATABASE :"db" OWNER :"owner";
-- Only the two roles connect (and the administrator, as superuser).
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"db" TO :"app";
SQL

pichanaki_psql --dbname "${PICHANAKI_DB:-pichanaki}" <<'SQL'
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER SCHEMA public OWNER TO :"owner";
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"app";
-- Whatever the owner creates (each migration's tables and sequences) the application may read
-- and write row by row; nothing more (no TRUNCATE, REFERENCES or TRIGGER).
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO :"app";
SQL
)

pichanaki_init
