"""The backup and restore drill (`make backup`, `make restore FILE=…`) on PostGIS: the demo is
backed up, restored into a fresh database, and the restored copy is checked (ledger
invariants, both hash chains, the payment lines, every approved run's input hash recomputed and
its results, every media file a row points to)."""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from benefits.batches import render_statement_batch
from benefits.models import DistributionLine, StatementBatch
from credits.services import issue_credits
from demo.services import load_demo
from tests.base import build_personas
from tests.credits.factories import make_parcels, make_run
from tests.pichanaki.restore_probe import probe

USER_TABLES = """
SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
"""

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

ROOT = Path(settings.BASE_DIR)
SCRIPT = [sys.executable, str(ROOT / "scripts" / "dbbackup.py")]


def _url(name: str) -> str:
    db = connection.settings_dict
    return f"postgis://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{name}"


def _script(*args: str, database: str, media: Path, backups: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": _url(database),
        "MEDIA_ROOT": str(media),
        "BACKUP_DIR": str(backups),
    }
    env.pop("TEST_DATABASE_NAME", None)
    return subprocess.run([*SCRIPT, *args], env=env, capture_output=True, text=True, timeout=600)


def _probe_restored(database: str, *, media: Path, runs: bool = True) -> dict:
    env = {**os.environ, "DATABASE_URL": _url(database), "MEDIA_ROOT": str(media)}
    env.pop("TEST_DATABASE_NAME", None)
    code = f"from tests.pichanaki.restore_probe import main; main(runs={runs})"
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def fresh_database():
    name = f"{connection.settings_dict['NAME']}_restored"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name
    connection.close()  # nothing of ours may hold it open
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _statement_pdf() -> StatementBatch:
    """A cooperative's statements, rendered into MEDIA_ROOT by the real job."""
    line = DistributionLine.objects.select_related("distribution", "smallholder").first()
    batch = StatementBatch.objects.create(
        project=line.distribution.project, cooperative=line.smallholder.cooperative
    )
    return render_statement_batch(batch_id=batch.pk)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_demo_survives_a_backup_and_a_restore(fresh_database, tmp_path):
    load_demo(scale=0.1)
    media = Path(settings.MEDIA_ROOT)
    (media / "agreements").mkdir(parents=True, exist_ok=True)
    (media / "agreements" / "acuerdo-001.pdf").write_bytes(b"%PDF-1.4 demo agreement\n")
    statements = _statement_pdf()
    original = probe()
    assert original["invariants"] == "ok" and original["runs"] and original["chains"]
    pdf_key = f"benefits.StatementBatch.pdf:{statements.pdf.name}"
    assert original["media"][pdf_key] == _sha256(media / statements.pdf.name)

    backups = tmp_path / "backups"
    made = _script(
        "backup", database=connection.settings_dict["NAME"], media=media, backups=backups
    )
    assert made.returncode == 0, made.stderr
    print(made.stdout)  # the timings, for the drill's report (pytest -s)
    (folder,) = backups.iterdir()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert set(manifest["files"]) == {"database.dump", "media.tar.gz"}
    # Every media file is listed with its own hash (the restore checks each one it unpacks).
    assert set(manifest["media"]) == {"agreements/acuerdo-001.pdf", statements.pdf.name}
    for name, entry in manifest["media"].items():
        assert entry == {"sha256": _sha256(media / name), "bytes": (media / name).stat().st_size}

    restored_media = tmp_path / "restored-media"
    done = _script(
        "restore", str(folder), database=fresh_database, media=restored_media, backups=backups
    )
    assert done.returncode == 0, done.stderr
    print(done.stdout)
    assert original["payment_chains"]  # the demo pays families: the payment chain is drilled
    chains = [*original["chains"].values(), *original["payment_chains"].values()]
    heads = [chain["head"] for chain in chains]
    assert all(head in done.stdout for head in heads)  # verify_ledger ran on the restored copy

    assert "2 files checked" in done.stdout
    restored = _probe_restored(fresh_database, media=restored_media)
    assert restored == original  # ledger, chains, payment lines, runs, media files
    assert restored["invariants"] == "ok"
    assert all(chain["break"] == "None" for chain in restored["chains"].values())
    assert all(chain["break"] == "None" for chain in restored["payment_chains"].values())
    # Every approved run recomputes from the restored rows exactly as from the original ones
    # (`restored == original` above compares both). The stored hash is today's inputs' hash
    # only for runs whose inputs no later correction touched: the demo's benefit step
    # corrects one parcel's survival count in 2024, after the ex-ante run was approved.
    assert any(run["recomputed"] == run["input_hash"] for run in restored["runs"].values())
    copy = restored_media / "agreements" / "acuerdo-001.pdf"
    assert copy.read_bytes() == b"%PDF-1.4 demo agreement\n"

    # A second restore into the now populated database is refused without --force.
    again = _script(
        "restore", str(folder), database=fresh_database, media=tmp_path / "m2", backups=backups
    )
    assert again.returncode == 1
    assert f"database '{fresh_database}' holds" in again.stderr and "--force" in again.stderr


def test_a_damaged_backup_is_refused(fresh_database, tmp_path):
    media = Path(settings.MEDIA_ROOT)
    backups = tmp_path / "backups"
    made = _script(
        "backup", database=connection.settings_dict["NAME"], media=media, backups=backups
    )
    assert made.returncode == 0, made.stderr
    (folder,) = backups.iterdir()
    dump = folder / "database.dump"
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))

    done = _script(
        "restore", str(folder), database=fresh_database, media=tmp_path / "m", backups=backups
    )

    assert done.returncode == 1
    assert "database.dump does not match the SHA-256 in the manifest" in done.stderr
    assert _user_tables(fresh_database) == 0  # nothing was restored
    assert not (tmp_path / "m").exists()


def test_a_forced_restore_replaces_the_target(fresh_database, tmp_path):
    personas = build_personas()
    parcels = make_parcels(personas.project_a, personas.coop_a1, count=2)
    run = make_run(personas.project_a, parcels, vintages={2012: (70, 30)})
    issue_credits(run_id=run.pk, actor=None)
    media, backups = Path(settings.MEDIA_ROOT), tmp_path / "backups"
    assert (
        _script(
            "backup", database=connection.settings_dict["NAME"], media=media, backups=backups
        ).returncode
        == 0
    )
    (folder,) = backups.iterdir()
    target = tmp_path / "target-media"
    first = _script("restore", str(folder), database=fresh_database, media=target, backups=backups)
    assert first.returncode == 0, first.stderr
    tables = _user_tables(fresh_database)

    forced = _script(
        "restore", str(folder), "--force", database=fresh_database, media=target, backups=backups
    )

    assert forced.returncode == 0, forced.stderr
    assert _user_tables(fresh_database) == tables
    # (the factories' runs have no field data to recompute: compare the ledger only)
    assert _probe_restored(fresh_database, media=target, runs=False) == probe(runs=False)


def test_media_the_manifest_does_not_list_is_refused(fresh_database, tmp_path):
    media = Path(settings.MEDIA_ROOT)
    (media / "statements").mkdir(parents=True, exist_ok=True)
    (media / "statements" / "a.pdf").write_bytes(b"%PDF-1.4 a\n")
    (media / "statements" / "b.pdf").write_bytes(b"%PDF-1.4 b\n")
    backups = tmp_path / "backups"
    made = _script(
        "backup", database=connection.settings_dict["NAME"], media=media, backups=backups
    )
    assert made.returncode == 0, made.stderr
    (folder,) = backups.iterdir()
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    del manifest["media"]["statements/b.pdf"]
    manifest_path.write_text(json.dumps(manifest))

    done = _script(
        "restore", str(folder), database=fresh_database, media=tmp_path / "m", backups=backups
    )

    assert done.returncode == 1
    assert "does not hold the media files the manifest lists" in done.stderr
    assert "not listed: ['statements/b.pdf']" in done.stderr
    assert _user_tables(fresh_database) == 0  # nothing was restored
    assert not (tmp_path / "m").exists()


def _user_tables(name: str) -> int:
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"],
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"],
        dbname=name,
    ) as other:
        return other.execute(USER_TABLES).fetchone()[0]
