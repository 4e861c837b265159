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
from tests.private_redis import PrivateRedis, answered_within, private_redis  # noqa: F401


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


@pytest.mark.django_db
def test_a_hung_broker_answers_503_within_seconds(private_redis: PrivateRedis) -> None:  # noqa: F811
    """A broker that accepts the connection and never answers: /healthz says "down" in
    seconds (a load balancer's probe, and the worker serving it, are not held forever)."""
    previous = switch_broker(app, url=private_redis.url(), eager=False)
    private_redis.freeze()
    try:
        answer = answered_within(20, lambda: Client().get("/healthz"), thaw=private_redis)
    finally:
        switch_broker(app, url=previous[0], eager=previous[1])
    assert answer.finished, f"/healthz still waiting after {answer.seconds:.0f} s"
    assert answer.result.status_code == 503
    assert answer.result.json()["broker"] == {"ok": False, "status": "down", "mode": "broker"}


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


def test_a_hung_database_answers_503_within_seconds() -> None:
    """A PostgreSQL port that accepts connections and never answers (a frozen server, a
    half-open link): /healthz says "down" within seconds instead of holding the worker until
    gunicorn kills it (which a load balancer sees as a 500, or nothing)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)  # the kernel completes the handshakes; nobody ever answers
        port = listener.getsockname()[1]
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "pichanaki.settings",
            "DATABASE_URL": f"postgis://pichanaki:secret@127.0.0.1:{port}/pichanaki",
            "CELERY_BROKER_URL": "",
        }
        try:
            done = subprocess.run(
                [sys.executable, "-c", HEALTHZ_IN_A_SERVER_PROCESS],
                env=env,
                cwd=Path(__file__).resolve().parents[2],
                capture_output=True,
                text=True,
                timeout=25,
                check=True,
            )
        except subprocess.TimeoutExpired:
            pytest.fail("/healthz still waiting on the database after 25 s")
    status, body = done.stdout.strip().split("\n", 1)
    assert status == "503"
    assert json.loads(body)["database"] == {"ok": False, "status": "down"}
