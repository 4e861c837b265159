import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from pichanaki.celery import app
from tests.conftest import switch_broker


@pytest.mark.django_db
def test_it_reports_healthy_database_and_broker(client: Client, redis_broker) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"] == {
        "ok": True,
        "status": "up",
        "mode": "broker",
        "ms": body["broker"]["ms"],
    }


@pytest.mark.django_db
def test_it_reports_eager_mode_on_the_embedded_default(client: Client) -> None:
    previous = switch_broker(app, url=None, eager=True)
    try:
        response = client.get("/healthz")
    finally:
        switch_broker(app, url=previous[0], eager=previous[1])
    assert response.status_code == 200
    assert response.json()["broker"] == {"ok": True, "status": "up", "mode": "eager"}


@pytest.mark.django_db
def test_it_answers_503_when_the_broker_is_down(client: Client) -> None:
    previous = switch_broker(app, url="redis://127.0.0.1:1/0", eager=False)
    try:
        response = client.get("/healthz")
    finally:
        switch_broker(app, url=previous[0], eager=previous[1])
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["broker"] == {"ok": False, "status": "down", "mode": "broker"}
    assert body["database"]["ok"] is True


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


HEALTHZ_IN_A_SERVER_PROCESS = """
import django
django.setup()
from django.test import Client
response = Client(HTTP_HOST="127.0.0.1").get("/healthz")
print(response.status_code)
print(response.content.decode())
"""


def test_a_dead_database_answers_503_with_a_status_word_and_logs_the_reason() -> None:
    """A server process whose PostgreSQL does not answer (nothing listens on its port): the
    public answer says "down", the connection error (host, port, user) only goes to the log."""
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pichanaki.settings",
        "DATABASE_URL": f"postgis://pichanaki:secret@127.0.0.1:{port}/pichanaki",
        "CELERY_BROKER_URL": "",
    }
    done = subprocess.run(
        [sys.executable, "-c", HEALTHZ_IN_A_SERVER_PROCESS],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    status, body = done.stdout.strip().split("\n", 1)
    assert status == "503"
    assert json.loads(body) == {
        "status": "unavailable",
        "database": {"ok": False, "status": "down"},
        "broker": {"ok": True, "status": "up", "mode": "eager"},
    }
    assert str(port) not in body and "127.0.0.1" not in body and "pichanaki" not in body
    assert str(port) in done.stderr  # the operator's log names what failed
