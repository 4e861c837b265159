import os

import pytest
from django.conf import settings

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # sync Playwright runs an event loop

from tests.base import Personas, build_personas  # noqa: E402

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if settings.POSTGRES:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL/PostGIS; the suite also runs there")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fast_hasher(settings: pytest.FixtureRequest) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_root(settings: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> None:
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture
def personas(db: None) -> Personas:
    return build_personas()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture
def celery_worker_on_redis():
    """A real Celery worker consuming from the test Redis database, inside this process.

    Used in both suites: on the embedded default the app is switched from eager mode to the
    broker for the duration of the test.
    """
    from celery.contrib.testing.worker import start_worker

    from pichanaki.celery import app

    broker = os.environ.get("TEST_BROKER_URL", "redis://127.0.0.1:6379/15")
    previous = (app.conf.broker_url, app.conf.task_always_eager, app.conf.result_backend)
    app.conf.update(broker_url=broker, task_always_eager=False, result_backend=broker)
    app.pool.force_close_all()
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, shutdown_timeout=10
        ) as worker:
            yield worker
    finally:
        app.conf.update(
            broker_url=previous[0], task_always_eager=previous[1], result_backend=previous[2]
        )
        app.pool.force_close_all()
