import io

import pytest
from django.core.management import call_command

from smallholders.models import Project

SCALE = 0.1  # 24 smallholders, ~80 ha: every kind of figure, fast


@pytest.fixture
def demo(db, django_db_blocker) -> Project:
    call_command("seed_demo", "--scale", str(SCALE), stdout=io.StringIO())
    call_command("ensure_demo_users", stdout=io.StringIO())
    return Project.objects.get(code="pch")


@pytest.fixture
def tasks_run_inline():
    """Celery tasks run where they are sent (both suites), so that a commit's rollup refresh
    has happened when the next page is read."""
    from pichanaki.celery import app
    from tests.conftest import switch_broker

    previous = switch_broker(app, url=app.conf.broker_url, eager=True)
    yield app
    switch_broker(app, url=previous[0], eager=previous[1])
