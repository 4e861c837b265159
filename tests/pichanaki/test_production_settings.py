"""Production mode refuses unsafe settings and passes Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The test process's own development settings must not leak into the production check.
SCRUBBED = ("SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL", "CELERY_BROKER_URL")
GOOD_KEY = "k" * 20 + "9Zq!x-" * 6 + "tail-of-a-long-random-key"


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(SCRUBBED)}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_refuses_to_start_without_a_secret_key() -> None:
    result = run_manage("check", PICHANAKI_ENV="production", ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "needs SECRET_KEY" in result.stderr


def test_it_refuses_the_development_secret_key() -> None:
    from pichanaki.settings import DEV_SECRET_KEY

    result = run_manage(
        "check", PICHANAKI_ENV="production", ALLOWED_HOSTS="example.org", SECRET_KEY=DEV_SECRET_KEY
    )
    assert result.returncode != 0
    assert "needs SECRET_KEY" in result.stderr


def test_it_refuses_debug_in_production() -> None:
    result = run_manage(
        "check",
        PICHANAKI_ENV="production",
        ALLOWED_HOSTS="example.org",
        SECRET_KEY=GOOD_KEY,
        DEBUG="1",
    )
    assert result.returncode != 0
    assert "refuses DEBUG=1" in result.stderr


def test_it_passes_the_deployment_checks() -> None:
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        PICHANAKI_ENV="production",
        ALLOWED_HOSTS="example.org",
        SECRET_KEY=GOOD_KEY,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
