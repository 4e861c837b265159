#!/usr/bin/env python3
"""Back up and restore the PostGIS deployment: `make backup`, `make restore FILE=… [FORCE=1]`.

backup   pg_dump (custom format) of DATABASE_URL and a tar of MEDIA_ROOT into
         BACKUP_DIR/<UTC timestamp>/ (default var/backups/), with manifest.json holding the
         SHA-256 and size of each file, and of each media file inside the tar (statement
         PDFs, agreements, imported files: what the database points to). Written in a
         `.partial` folder and renamed when complete: a folder with a manifest is a whole backup.
restore  checks every file against the manifest, and that the tar holds exactly the media
         files it lists (any mismatch: refused, nothing touched), refuses a target database
         that holds tables or a MEDIA_ROOT that holds files unless --force (then the backup
         replaces them), restores the database in one transaction (pg_restore
         --single-transaction: all or nothing; extensions the target has are kept as they
         are, so the database's owner needs no superuser), unpacks the media, checks each
         unpacked file against the manifest and runs `manage.py verify_ledger` on the result.

Standard library only; needs pg_dump/pg_restore/psql (Debian's postgresql-client) of the
server's major version or newer. The password is passed in the environment (PGPASSWORD),
never on a command line.
"""

import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import IO
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
DUMP, MEDIA, MANIFEST = "database.dump", "media.tar.gz", "manifest.json"
SCHEMES = ("postgis", "postgres", "postgresql")
# Tables of the public schema that are not part of an extension (PostGIS owns spatial_ref_sys).
USER_TABLES = """
SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
"""

# The target's extensions, each with its configuration tables ("schema table"), if any.
TARGET_EXTENSIONS = """
SELECT e.extname, coalesce(n.nspname || ' ' || c.relname, '')
FROM pg_extension e
LEFT JOIN LATERAL unnest(e.extconfig) AS config(oid) ON true
LEFT JOIN pg_class c ON c.oid = config.oid
LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
"""


class Refused(Exception):
    """The operation stopped; the message says why and what was (not) changed."""


def libpq_env() -> tuple[dict[str, str], str]:
    """The libpq environment for DATABASE_URL, and the database name."""
    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES or not parts.path.strip("/"):
        raise Refused(
            "refused: DATABASE_URL must be postgis://user:password@host:port/name (backup and "
            "restore cover the PostGIS deployment; the embedded default is the file in var/)"
        )
    name = unquote(parts.path.strip("/"))
    env = {
        **os.environ,
        "PGHOST": parts.hostname or "127.0.0.1",
        "PGPORT": str(parts.port or 5432),
        "PGUSER": unquote(parts.username or ""),
        "PGPASSWORD": unquote(parts.password or ""),
        "PGDATABASE": name,
    }
    return env, name


def media_root() -> Path:
    return Path(os.environ.get("MEDIA_ROOT") or ROOT / "var" / "media")


def sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return stream_sha256(handle)


def stream_sha256(handle: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(1 << 20), b""):
        digest.update(chunk)
    return digest.hexdigest()


def run(command: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise Refused(f"{command[0]} failed, nothing was changed: {done.stderr.strip()}")
    return done.stdout


def psql(sql: str, env: dict[str, str]) -> str:
    return run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql], env).strip()


def regular_only(member: tarfile.TarInfo) -> tarfile.TarInfo | None:
    """Uploads are plain files in folders; anything else (a link) is left out, and said so,
    because the restore refuses it."""
    if member.isfile() or member.isdir():
        return member
    print(f"backup: left out {member.name} (not a plain file or folder)", file=sys.stderr)
    return None


def backup(args: argparse.Namespace) -> None:
    env, name = libpq_env()
    started = time.monotonic()
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    base = Path(os.environ.get("BACKUP_DIR") or ROOT / "var" / "backups")
    final, partial = base / stamp, base / f".{stamp}.partial"
    if final.exists():
        raise Refused(f"refused: {final} already exists")
    partial.mkdir(parents=True)
    run(["pg_dump", "--format=custom", "--file", str(partial / DUMP)], env)
    dumped = time.monotonic()
    media = media_root()
    with tarfile.open(partial / MEDIA, "w:gz") as archive:
        if media.is_dir():
            for child in sorted(media.iterdir()):
                archive.add(child, arcname=child.name, filter=regular_only)
    manifest = {
        "format": 2,  # 2: lists the media files (format 1 backups restore without that check)
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "database": name,
        "server_version": psql("SHOW server_version", env),
        "pg_dump": run(["pg_dump", "--version"], env).strip(),
        "files": {
            file: {"sha256": sha256(partial / file), "bytes": (partial / file).stat().st_size}
            for file in (DUMP, MEDIA)
        },
        "media": media_files(partial / MEDIA),
    }
    (partial / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    partial.rename(final)  # only now does the backup exist under its name
    print(f"backup: {final}")
    sizes = {file: f"{manifest['files'][file]['bytes']:,} bytes" for file in (DUMP, MEDIA)}
    print(
        f"database {sizes[DUMP]} in {dumped - started:.1f} s, media {sizes[MEDIA]} "
        f"({len(manifest['media'])} files); total {time.monotonic() - started:.1f} s"
    )


def media_files(archive_path: Path) -> dict[str, dict[str, object]]:
    """SHA-256 and size of each file in the media tar, read back from the tar itself (what a
    restore unpacks, even if a file changed on disk while it was being packed)."""
    files: dict[str, dict[str, object]] = {}
    with tarfile.open(archive_path, "r:gz") as archive:
        for member in archive:
            handle = archive.extractfile(member) if member.isfile() else None
            if handle is None:
                continue
            files[member.name] = {"sha256": stream_sha256(handle), "bytes": member.size}
    return files


def checked_folder(given: str) -> tuple[Path, dict | None]:
    """The backup folder, after checking every file against its manifest, and the manifest's
    list of media files (None in a format 1 backup, which has none)."""
    folder = Path(given)
    folder = folder.parent if folder.name == MANIFEST else folder
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        files = manifest["files"]
    except (OSError, ValueError, KeyError) as exc:
        raise Refused(f"refused: {folder / MANIFEST} is not a backup manifest ({exc})") from exc
    for file in (DUMP, MEDIA):
        expected = files.get(file)
        path = folder / file
        if expected is None or not path.is_file():
            raise Refused(f"refused: {path} is missing from the backup or from its manifest")
        if path.stat().st_size != expected["bytes"] or sha256(path) != expected["sha256"]:
            raise Refused(
                f"refused: {path} does not match the SHA-256 in the manifest (damaged or changed)"
            )
    return folder, manifest.get("media")


def check_media(archive_path: Path, media: Path, listed: dict | None) -> None:
    """Refuse a media tar with anything but plain files and folders inside `media` (a crafted
    archive must not write elsewhere; older Pythons lack tarfile's "data" filter), or whose
    files are not the ones the manifest lists."""
    with tarfile.open(archive_path, "r:gz") as archive:
        for member in archive.getmembers():
            inside = (media / member.name).resolve().is_relative_to(media.resolve())
            if not (member.isfile() or member.isdir()) or not inside:
                raise Refused(f"refused: {archive_path} holds an unsafe entry {member.name!r}")
        held = {member.name for member in archive.getmembers() if member.isfile()}
    if listed is not None and held != set(listed):
        unlisted, absent = sorted(held - set(listed)), sorted(set(listed) - held)
        raise Refused(
            f"refused: {archive_path} does not hold the media files the manifest lists "
            f"(not listed: {unlisted}; missing: {absent})"
        )


def check_unpacked(media: Path, listed: dict) -> None:
    """Every media file the manifest lists is on disk with its size and SHA-256."""
    for name, expected in listed.items():
        path = media / name
        if not path.is_file() or path.stat().st_size != expected["bytes"]:
            raise Refused(f"restored, but {path} is missing or has the wrong size: investigate")
        if sha256(path) != expected["sha256"]:
            raise Refused(f"restored, but {path} does not match its SHA-256: investigate")


def unpack_media(archive_path: Path, media: Path) -> None:
    with tarfile.open(archive_path, "r:gz") as archive:
        for member in archive.getmembers():
            member.mode = 0o755 if member.isdir() else 0o644
            archive.extract(member, media, set_attrs=False)


def restore_list(listing: str, env: dict[str, str]) -> list[str]:
    """The archive's table of contents minus what belongs to the target's extensions.

    An extension is its creator's (postgis: a superuser's). One the target already has is
    neither dropped (--force) nor created again, and the rows of its configuration tables
    (PostGIS's spatial_ref_sys: SRIDs added by hand, none by this project) stay the target's.
    COMMENT ON EXTENSION is always left out: only the extension's owner may run it. So the
    database's owner restores without being a superuser (the docker compose layout: see
    scripts/compose/db-init.sh), as long as the target has the extensions.
    """
    rows = [line.split("|") for line in psql(TARGET_EXTENSIONS, env).splitlines()]
    extensions = {row[0] for row in rows}
    config_tables = {row[1] for row in rows if row[1]}

    def wanted(line: str) -> bool:
        entry = line.split()[3:] if not line.startswith(";") else []
        if entry[:3] == ["COMMENT", "-", "EXTENSION"]:
            return False
        if entry[:2] == ["EXTENSION", "-"] and entry[2:3] and entry[2] in extensions:
            return False
        return not (entry[:2] == ["TABLE", "DATA"] and " ".join(entry[2:4]) in config_tables)

    return [line for line in listing.splitlines() if wanted(line)]


def restore(args: argparse.Namespace) -> None:
    env, name = libpq_env()
    started = time.monotonic()
    folder, listed = checked_folder(args.file)
    tables = int(psql(USER_TABLES, env))
    media = media_root()
    check_media(folder / MEDIA, media, listed)
    media_files = media.is_dir() and any(media.iterdir())
    if not args.force and (tables or media_files):
        held = f"database {name!r} holds {tables} tables" if tables else f"{media} holds files"
        raise Refused(f"refused: {held}; restore into an empty one, or --force to replace it")
    listing = run(["pg_restore", "--list", str(folder / DUMP)], env)
    keep = restore_list(listing, env)
    with tempfile.NamedTemporaryFile("w", suffix=".list", encoding="utf-8") as toc:
        toc.write("\n".join(keep) + "\n")
        toc.flush()
        command = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error"]
        command += ["--single-transaction", "--use-list", toc.name, "--dbname", name]
        command += ["--clean", "--if-exists"] if args.force else []
        run([*command, str(folder / DUMP)], env)
    restored = time.monotonic()
    if args.force and media.is_dir():
        shutil.rmtree(media)
    media.mkdir(parents=True, exist_ok=True)
    unpack_media(folder / MEDIA, media)
    if listed is not None:
        check_unpacked(media, listed)
    checked = f"{len(listed)} files checked" if listed is not None else "not listed: unchecked"
    print(
        f"restored {folder} into {name!r}: database in {restored - started:.1f} s; media into "
        f"{media} ({checked}); total {time.monotonic() - started:.1f} s"
    )
    python = ROOT / ".venv" / "bin" / "python"
    if python.exists():  # the drill: the restored ledger must still verify
        check = subprocess.run([str(python), str(ROOT / "manage.py"), "verify_ledger"], check=False)
        if check.returncode != 0:
            raise Refused("restored, but the ledger does not verify (see above): investigate")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("backup", help="back up DATABASE_URL and MEDIA_ROOT")
    again = commands.add_parser("restore", help="restore a backup folder into DATABASE_URL")
    again.add_argument("file", help="the backup folder (or its manifest.json)")
    again.add_argument("--force", action="store_true", help="replace a non-empty target")
    args = parser.parse_args()
    try:
        {"backup": backup, "restore": restore}[args.command](args)
    except Refused as exc:
        print(f"{args.command}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
