import importlib
import os

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation
from kombu import pools as kombu_pools

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


# Fixtures that use the one shared test Redis database: under pytest-xdist (`make test` runs
# two processes) their tests all go to one process, so no two of them purge or consume its
# queue at once. Each process has its own test database, so nothing else is shared.
SHARED_REDIS = {"redis_broker", "celery_worker_on_redis"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    shared = pytest.mark.xdist_group("shared-redis")
    skip = pytest.mark.skip(reason="needs PostgreSQL/PostGIS; the suite also runs there")
    # The embedded default runs Celery eagerly and never has a worker; a worker thread beside the
    # test on the shared in-memory SQLite database fails at random with "table is locked" (that
    # engine refuses a second writer at once instead of waiting). Worker tests run on PostGIS.
    no_worker = pytest.mark.skip(reason="a real Celery worker runs with PostGIS + Redis only")
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if SHARED_REDIS & fixtures:
            item.add_marker(shared)
        if settings.POSTGRES:
            continue
        if "postgres_only" in item.keywords:
            item.add_marker(skip)
        elif "celery_worker_on_redis" in fixtures:
            item.add_marker(no_worker)


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Service-level messages are asserted in English; requests still choose their language
    (Spanish by default) through the middleware, which restores this one afterwards."""
    with translation.override("en"):
        yield


_GUARDS = importlib.import_module("parcels.migrations.0004_calculations")


def _sqlite_guard_names() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'parcels_%'"
        )
        return {name for (name,) in cursor.fetchall()}


@pytest.fixture(autouse=True)
def _sqlite_guards_survive_the_flush(request: pytest.FixtureRequest):
    """SQLite empties the tables after a transactional test with row DELETEs, which the
    approved-run guard triggers refuse (PostgreSQL truncates; row triggers don't see that).
    For that flush only, the guards are dropped; every database test starts with them in place.
    Production databases keep them: this is test infrastructure, not a relaxed guard.
    """
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if settings.POSTGRES or not (marker or transactional):
        yield
        return
    # Set the database up first, so that its flush runs after this fixture's teardown.
    request.getfixturevalue("transactional_db" if transactional else "db")
    if not _sqlite_guard_names():
        with connection.cursor() as cursor:
            for statement in _GUARDS._sqlite_statements():
                cursor.execute(statement)
    yield
    if transactional:
        with connection.cursor() as cursor:
            for name in _sqlite_guard_names():
                cursor.execute(f'DROP TRIGGER "{name}"')


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


def switch_broker(app, *, url: str | None, eager: bool) -> tuple[str | None, bool]:
    """Point the Celery app at another broker and drop pooled connections to the old one."""
    previous = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.update(
        broker_url=url,
        broker_write_url=url,
        broker_read_url=url,
        result_backend=url,
        task_always_eager=eager,
    )
    # Drop every pooled connection and producer (kombu keeps a global registry of them), so the
    # next use builds fresh ones for the new broker.
    kombu_pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    vars(app._local).pop("backend", None)  # the result backend is cached per thread
    return previous


@pytest.fixture
def redis_broker():
    """Point the Celery app at the test Redis database instead of eager mode, for one test."""
    from pichanaki.celery import app

    previous = switch_broker(
        app, url=os.environ.get("TEST_BROKER_URL", "redis://127.0.0.1:6379/15"), eager=False
    )
    yield app
    switch_broker(app, url=previous[0], eager=previous[1])


@pytest.fixture
def celery_worker_on_redis(redis_broker):
    """A real Celery worker consuming from the test Redis database, inside this process.

    PostGIS half only (see pytest_collection_modifyitems): the embedded default has no worker.
    Use it with `django_db(transaction=True)`: the worker
    runs in another thread with its own database connection.
    """
    from celery.contrib.testing.worker import start_worker

    # Messages that earlier tests sent with no worker listening would otherwise run first, for
    # rows their tests have since flushed.
    redis_broker.control.purge()
    with start_worker(
        redis_broker, pool="solo", perform_ping_check=False, shutdown_timeout=10
    ) as worker:
        yield worker
