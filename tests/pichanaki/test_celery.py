"""A task goes through the real Redis broker to a real worker and back."""

import pytest
from django.db import transaction

from pichanaki.celery import app, ping


@pytest.mark.django_db(transaction=True)
def test_it_round_trips_through_the_broker(celery_worker_on_redis) -> None:
    assert app.conf.task_always_eager is False
    assert ping.delay().get(timeout=20) == "pong"


def test_it_configures_time_limits_and_autodiscovery() -> None:
    assert app.conf.task_time_limit > app.conf.task_soft_time_limit > 0
    assert app.conf.worker_prefetch_multiplier == 1
    assert ping.acks_late is True


@pytest.mark.django_db(transaction=True)
def test_on_commit_dispatch_waits_for_the_commit(celery_worker_on_redis) -> None:
    results = []
    with transaction.atomic():
        transaction.on_commit(lambda: results.append(ping.delay()))
        assert results == []
    assert results[0].get(timeout=20) == "pong"
