"""Every user-facing string has a Spanish translation.

makemessages runs on a copy of the source tree, so a string added to a template or to Python code
but never extracted into the catalogue fails this test as well as an empty or fuzzy msgstr.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
IGNORED = shutil.ignore_patterns(
    ".venv",
    ".git",
    "var",
    ".run",
    "staticfiles",
    "__pycache__",
    "*.mo",
    "tests",
    "bench",
    "node_modules",
    ".docker",
)


def parse_po(path: Path) -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, fuzzy) for every entry; plural forms count as their first form."""
    entries, fuzzy, field, current = [], False, None, {"msgid": "", "msgstr": ""}
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            if current["msgid"]:
                entries.append((current["msgid"], current["msgstr"], fuzzy))
            fuzzy, field, current = False, None, {"msgid": "", "msgstr": ""}
        elif line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith(("msgid ", "msgid_plural ")):
            field = "msgid" if line.startswith("msgid ") else None
            if field:
                current["msgid"] += eval_po(line.split(" ", 1)[1])
        elif line.startswith(("msgstr ", "msgstr[0] ")):
            field = "msgstr"
            current["msgstr"] += eval_po(line.split(" ", 1)[1])
        elif line.startswith("msgstr["):
            field = None
        elif line.startswith('"') and field:
            current[field] += eval_po(line)
    return entries


def eval_po(quoted: str) -> str:
    return quoted[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")


@pytest.fixture(scope="module")
def fresh_catalogue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("src") / "pichanaki"
    shutil.copytree(ROOT, copy, ignore=IGNORED)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "es", "--no-obsolete", "-v", "0"],
        cwd=copy,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return copy / "locale" / "es" / "LC_MESSAGES" / "django.po"


def test_every_string_is_translated_to_spanish(fresh_catalogue: Path) -> None:
    missing = [msgid for msgid, msgstr, fuzzy in parse_po(fresh_catalogue) if not msgstr or fuzzy]
    assert missing == [], f"{len(missing)} strings lack a Spanish translation: {missing[:20]}"


def test_the_committed_catalogue_is_compiled() -> None:
    po = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime - 1


def test_the_parser_sees_untranslated_entries(tmp_path: Path) -> None:
    po = tmp_path / "django.po"
    po.write_text(
        'msgid "Yes"\nmsgstr "Sí"\n\n'
        '#, fuzzy\nmsgid "No"\nmsgstr "Non"\n\n'
        'msgid "Tree"\nmsgstr ""\n'
    )
    assert parse_po(po) == [("Yes", "Sí", False), ("No", "Non", True), ("Tree", "", False)]
