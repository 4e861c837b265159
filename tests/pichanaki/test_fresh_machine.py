"""What a newcomer meets on a fresh clone and a fresh machine: packages, folders, links, console."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "pichanaki.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.skipif(not Path("/usr/lib/postgresql").is_dir(), reason="no PostgreSQL installed")
def test_bootstrap_names_the_postgis_server_extension_of_the_installed_postgresql() -> None:
    major = sorted(os.listdir("/usr/lib/postgresql"), key=int)[-1]
    out = subprocess.run(
        ["bash", "scripts/bootstrap.sh", "--print-packages"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert f"postgresql-{major}-postgis-3" in out
    assert "postgis" in out


def test_the_embedded_default_creates_its_own_folder(tmp_path: Path) -> None:
    var = tmp_path / "fresh" / "var"
    done = _run(
        "import django; django.setup()\n"
        "from django.db import connection\n"
        "connection.ensure_connection(); print('connected')",
        PICHANAKI_VAR_DIR=str(var),
    )
    assert done.returncode == 0, done.stderr
    assert "connected" in done.stdout
    assert (var / "pichanaki.sqlite3").exists()


def test_links_follow_the_address_the_server_binds() -> None:
    code = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from demo.management.commands.ensure_demo_users import curl_examples\n"
        "print(settings.PUBLIC_BASE_URL); print(curl_examples('k'))"
    )
    done = _run(code, BIND="127.0.0.1:8101")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "http://127.0.0.1:8101"
    assert "8000" not in done.stdout
    assert "http://127.0.0.1:8101/api/v1/availability/" in done.stdout
    wildcard = _run(code, BIND="0.0.0.0:8102")
    assert wildcard.stdout.splitlines()[0] == "http://127.0.0.1:8102"
    explicit = _run(code, BIND="0.0.0.0:8102", PUBLIC_BASE_URL="https://registro.example.org/")
    assert explicit.stdout.splitlines()[0] == "https://registro.example.org"


def test_eager_tasks_keep_the_console_quiet() -> None:
    done = _run(
        "import django; django.setup()\n"
        "from pichanaki.celery import ping\n"
        "print(ping.delay().get())",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "pong"
    assert "No hostname was supplied" not in done.stderr
    assert "succeeded" not in done.stderr


def test_a_pdf_is_made_without_narrating_its_layout() -> None:
    done = _run(
        "import django; django.setup()\n"
        "from weasyprint import HTML\n"
        "print(HTML(string='<p>Hola</p>').write_pdf()[:5].decode())",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "%PDF-"
    assert "Step 1" not in done.stderr  # WeasyPrint's "Step 1 - Fetching and parsing HTML"
