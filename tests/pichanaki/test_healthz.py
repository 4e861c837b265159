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
    assert body["broker"] == {"ok": True, "mode": "broker", "ms": body["broker"]["ms"]}


@pytest.mark.django_db
def test_it_reports_eager_mode_on_the_embedded_default(client: Client) -> None:
    previous = switch_broker(app, url=None, eager=True)
    try:
        response = client.get("/healthz")
    finally:
        switch_broker(app, url=previous[0], eager=previous[1])
    assert response.status_code == 200
    assert response.json()["broker"] == {"ok": True, "mode": "eager"}


@pytest.mark.django_db
def test_it_answers_503_when_the_broker_is_down(client: Client) -> None:
    previous = switch_broker(app, url="redis://127.0.0.1:1/0", eager=False)
    try:
        response = client.get("/healthz")
    finally:
        switch_broker(app, url=previous[0], eager=previous[1])
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["broker"]["ok"] is False
    assert body["broker"]["error"]
    assert body["database"]["ok"] is True
