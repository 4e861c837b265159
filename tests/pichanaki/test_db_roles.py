"""The docker compose database layout (scripts/compose/db-init.sh), built on the local server: the
script makes the roles, the database and the extensions as the superuser, `migrate` runs as the
tables' owner, the demo loads as the application role, and that role then cannot switch the
ledgers' append-only triggers off (superuser setting, owner's ALTER TABLE, TRUNCATE) nor get past
them. Controls show that a superuser (the former layout's application role) and the owner can.
Backups work as the application role, restores as the owner (plain and --force)."""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from psycopg import errors

pytestmark = [pytest.mark.postgres_only, pytest.mark.xdist_group("db-roles")]

ROOT = Path(settings.BASE_DIR)
INIT_SCRIPT = ROOT / "scripts" / "compose" / "db-init.sh"
# Quotes and a space: the script must pass passwords to PostgreSQL quoted, whatever they hold.
OWNER_PASSWORD, APP_PASSWORD = "own'er pass", 'app"pass word'
LEDGERS = ("credits_ledgerevent", "benefits_paymentevent")
TRIGGERS = {
    "credits_ledgerevent": "credits_ledgerevent_no_update_delete",
    "benefits_paymentevent": "benefits_paymentevent_no_update_delete",
}
OWNED_TABLES = """
SELECT c.oid::regclass::text, pg_get_userbyid(c.relowner) FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
"""


def _admin() -> dict:
    db = settings.DATABASES["default"]
    return {
        "host": db["HOST"] or "127.0.0.1",
        "port": int(db["PORT"] or 5432),
        "user": db["USER"],
        "password": db["PASSWORD"],
    }


@dataclass(frozen=True)
class Layout:
    """One database made by the init script, with its own owner and application roles."""

    database: str
    owner: str
    app: str
    media: Path | None = None  # MEDIA_ROOT of what was loaded into it

    def password(self, role: str) -> str:
        return {self.owner: OWNER_PASSWORD, self.app: APP_PASSWORD}[role]

    def url(self, role: str) -> str:
        admin = _admin()
        secret = quote(self.password(role), safe="")
        return f"postgis://{role}:{secret}@{admin['host']}:{admin['port']}/{self.database}"

    def connect(self, role: str | None = None) -> psycopg.Connection:
        """As `role`, or as the local superuser (the suite's own role) when None."""
        admin = _admin()
        if role is not None:
            admin.update(user=role, password=self.password(role))
        return psycopg.connect(**admin, dbname=self.database, autocommit=True)


def _base_name() -> str:
    db = settings.DATABASES["default"]
    name = db.get("TEST", {}).get("NAME") or f"test_{db['NAME']}"
    return f"{name}_{os.environ.get('PYTEST_XDIST_WORKER', 'gw')}_roles"


def _drop(layout: Layout) -> None:
    with psycopg.connect(**_admin(), dbname="postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{layout.database}" WITH (FORCE)')
        for role in (layout.app, layout.owner):
            admin.execute(f'DROP ROLE IF EXISTS "{role}"')


def _init(name: str) -> Layout:
    """Run the init script as the compose `db` service would, with this run's own names."""
    layout = Layout(database=name, owner=f"{name}_owner", app=f"{name}_app")
    _drop(layout)  # what a crashed earlier run left
    admin = _admin()
    env = {
        **os.environ,
        "PGHOST": admin["host"],
        "PGPORT": str(admin["port"]),
        "PGPASSWORD": admin["password"],
        "POSTGRES_USER": admin["user"],
        "PICHANAKI_DB": layout.database,
        "PICHANAKI_OWNER": layout.owner,
        "PICHANAKI_APP_USER": layout.app,
        "PICHANAKI_OWNER_PASSWORD": OWNER_PASSWORD,
        "PICHANAKI_APP_PASSWORD": APP_PASSWORD,
    }
    done = subprocess.run([str(INIT_SCRIPT)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return layout


def _run(command: list[str], *, url: str, media: Path, **extra: str) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("TEST_DATABASE_NAME", "CELERY_BROKER_URL", "CACHE_URL")
    }
    env.update(DATABASE_URL=url, MEDIA_ROOT=str(media), **extra)
    return subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=900)


def _manage(*args: str, url: str, media: Path) -> subprocess.CompletedProcess:
    return _run([sys.executable, str(ROOT / "manage.py"), *args], url=url, media=media)


def _probe(layout: Layout, media: Path | None) -> dict:
    code = "from tests.pichanaki.restore_probe import main; main(runs=False)"
    done = _manage("shell", "-c", code, url=layout.url(layout.app), media=media or layout.media)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Layout]:
    """The compose layout, migrated by its owner, the demo loaded by the application role."""
    built = _init(_base_name())
    media = tmp_path_factory.mktemp("roles-media")
    migrated = _manage("migrate", "--noinput", url=built.url(built.owner), media=media)
    assert migrated.returncode == 0, migrated.stderr
    demo = "from demo.services import load_demo; load_demo(scale=0.1)"
    loaded = _manage("shell", "-c", demo, url=built.url(built.app), media=media)
    assert loaded.returncode == 0, loaded.stderr
    yield replace(built, media=media)
    _drop(built)


def test_neither_role_has_an_administrators_power(layout):
    with layout.connect() as admin:
        roles = admin.execute(
            "SELECT rolname, rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls,"
            " rolcanlogin FROM pg_roles WHERE rolname IN (%s, %s)",
            [layout.owner, layout.app],
        ).fetchall()
        member = admin.execute(
            "SELECT pg_has_role(%s, %s, 'MEMBER')", [layout.app, layout.owner]
        ).fetchone()[0]
        database_owner = admin.execute(
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s",
            [layout.database],
        ).fetchone()[0]
    assert sorted(roles) == sorted(
        (role, False, False, False, False, False, True) for role in (layout.owner, layout.app)
    )
    assert not member  # no SET ROLE to the owner
    assert database_owner == layout.owner


def test_the_owner_owns_every_table_and_the_application_only_reads_and_writes_rows(layout):
    with layout.connect(layout.app) as app:
        tables = app.execute(OWNED_TABLES).fetchall()
        rights = {
            privilege: app.execute(
                f"SELECT count(*) FROM ({OWNED_TABLES}) t(name, owner)"  # noqa: S608
                " WHERE has_table_privilege(%s, name, %s)",
                [layout.app, privilege],
            ).fetchone()[0]
            for privilege in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "TRIGGER")
        }
    assert len(tables) > 50 and {owner for _, owner in tables} == {layout.owner}
    assert {name for name, _ in tables} >= set(LEDGERS)
    # Default privileges gave every migration's table the row rights, and nothing more.
    assert rights == {
        "SELECT": len(tables),
        "INSERT": len(tables),
        "UPDATE": len(tables),
        "DELETE": len(tables),
        "TRUNCATE": 0,
        "TRIGGER": 0,
    }


def test_the_application_works_as_its_role(layout, tmp_path):
    verified = _manage("verify_ledger", url=layout.url(layout.app), media=tmp_path)
    assert verified.returncode == 0, verified.stderr
    with layout.connect(layout.app) as app:
        for table in LEDGERS:
            assert app.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0  # noqa: S608


def _refused_statements(layout: Layout) -> list[str]:
    statements = [
        "SET session_replication_role = replica",
        f'ALTER DATABASE "{layout.database}" SET session_replication_role = replica',
    ]
    for table, trigger in TRIGGERS.items():
        statements += [
            f"ALTER TABLE {table} DISABLE TRIGGER ALL",
            f"ALTER TABLE {table} DISABLE TRIGGER USER",
            f"ALTER TABLE {table} DISABLE TRIGGER {trigger}",
            f"DROP TRIGGER {trigger} ON {table}",
            f"TRUNCATE {table} CASCADE",
            f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger"
            " LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'",
        ]
    return [*statements, f'SET ROLE "{layout.owner}"']  # last: it would stay for the rest


def test_the_application_role_cannot_switch_the_append_only_triggers_off(layout):
    accepted, refused = [], {}
    # One transaction, rolled back whatever happens; a savepoint per statement.
    with layout.connect(layout.app) as app, app.transaction(force_rollback=True):
        for statement in _refused_statements(layout):
            try:
                with app.transaction():
                    app.execute(statement)
                accepted.append(statement)
            except errors.InsufficientPrivilege as exc:
                refused[statement] = str(exc).splitlines()[0]
    assert accepted == []
    assert refused["SET session_replication_role = replica"] == (
        'permission denied to set parameter "session_replication_role"'
    )
    for table in LEDGERS:
        assert refused[f"ALTER TABLE {table} DISABLE TRIGGER ALL"] == (
            f"must be owner of table {table}"
        )
        assert refused[f"TRUNCATE {table} CASCADE"] == f"permission denied for table {table}"


@pytest.mark.parametrize("table", LEDGERS)
@pytest.mark.parametrize("change", ["UPDATE {table} SET id = id", "DELETE FROM {table}"])
def test_the_triggers_refuse_the_application_roles_updates_and_deletes(layout, table, change):
    with layout.connect(layout.app) as app:
        events = app.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
        with pytest.raises(errors.IntegrityConstraintViolation, match="is append-only"):
            app.execute(change.format(table=table))
        assert app.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == events  # noqa: S608
    assert events > 0  # the row triggers had rows to fire on


@pytest.mark.parametrize("table", LEDGERS)
def test_control_a_superuser_and_the_owner_can_switch_them_off(layout, table):
    """What the refusals above are worth: the former layout's application role (the image's
    superuser) rewrites events past the trigger, and so could the owner, whose password is
    therefore kept out of the running services. Both in a transaction that is rolled back."""
    for role, bypass in (
        (None, "SET LOCAL session_replication_role = replica"),
        (None, f"ALTER TABLE {table} DISABLE TRIGGER ALL"),
        # (ALL takes the foreign keys' system triggers too: only a superuser may.)
        (layout.owner, f"ALTER TABLE {table} DISABLE TRIGGER USER"),
    ):
        with layout.connect(role) as connection, connection.transaction():
            connection.execute(bypass)
            changed = connection.execute(f"UPDATE {table} SET id = id").rowcount  # noqa: S608
            assert changed > 0, (role, bypass)
            raise psycopg.Rollback  # (the transaction block swallows it)
    # Rolled back: the trigger is there again.
    with layout.connect(layout.app) as app, pytest.raises(errors.IntegrityConstraintViolation):
        app.execute(f"UPDATE {table} SET id = id")  # noqa: S608


def test_a_backup_by_the_application_restores_by_the_owner(layout, tmp_path):
    target = _init(f"{layout.database}_restored")
    try:
        media, backups = layout.media, tmp_path / "backups"
        backup = [sys.executable, str(ROOT / "scripts" / "dbbackup.py")]
        made = _run(
            [*backup, "backup"], url=layout.url(layout.app), media=media, BACKUP_DIR=str(backups)
        )
        assert made.returncode == 0, made.stderr
        (folder,) = backups.iterdir()
        restored_media = tmp_path / "restored-media"

        by_app = _run(
            [*backup, "restore", str(folder)], url=target.url(target.app), media=restored_media
        )
        assert by_app.returncode == 1
        assert "permission denied for schema public" in by_app.stderr  # no DDL for the app

        for force in ([], ["--force"]):  # --force: the administrator's extensions stay
            done = _run(
                [*backup, "restore", str(folder), *force],
                url=target.url(target.owner),
                media=restored_media,
            )
            assert done.returncode == 0, done.stderr

        assert _probe(target, restored_media) == _probe(layout, media)
        with target.connect(target.app) as app:
            owners = {owner for _, owner in app.execute(OWNED_TABLES).fetchall()}
            with pytest.raises(errors.IntegrityConstraintViolation, match="is append-only"):
                app.execute("DELETE FROM credits_ledgerevent")
            with pytest.raises(errors.InsufficientPrivilege):
                app.execute("ALTER TABLE credits_ledgerevent DISABLE TRIGGER ALL")
        assert owners == {target.owner}
    finally:
        _drop(target)
