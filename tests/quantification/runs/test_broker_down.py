"""A calculation run started while the broker dies: saved, answered 503, run once it is back."""

import datetime as dt
import json

import pytest
from rest_framework.test import APIClient

from parcels.models import Species
from parcels.species_catalogue import load_species
from pichanaki.dispatch import JobsPaused, resend_waiting
from quantification import services
from quantification.models import CalculationRun, RunKind, RunStatus
from tests.private_redis import (  # noqa: F401 (fixtures)
    PrivateRedis,
    answered_within,
    dying_during_dispatch,
    private_broker,
    private_redis,
    started_worker,
    wait_for,
)
from tests.quantification.runs import fixture_project

RUN_TASK = "parcels.execute_calculation_run"
# gunicorn kills a worker whose request takes 30 s (its default timeout): a request that waits
# on a hung broker must have ended well before, or its run would stay stamped "sent" for an hour.
HUNG_BROKER_SECONDS = 20


def _run_messages(queue) -> int:
    """Calculation-run messages waiting in the default queue (the back-office's figure
    refreshes, sent after each field-data commit, wait there too)."""
    messages = (json.loads(raw) for raw in queue.lrange("celery", 0, -1))
    return sum(m["headers"]["task"] == "parcels.execute_calculation_run" for m in messages)


def _project():
    from tests.base import build_personas

    if not Species.objects.exists():  # an earlier transactional test flushed the seed
        load_species(Species)
    personas = build_personas()
    field = fixture_project.build(personas)
    services.ensure_default_parameter_set(project_id=field.project.pk)
    return personas, field


@pytest.mark.django_db(transaction=True)
def test_a_run_started_as_the_broker_dies_is_saved_and_runs_once_it_is_back(
    private_broker: PrivateRedis,  # noqa: F811
) -> None:
    personas, field = _project()
    client = APIClient()
    client.force_authenticate(personas.manager_a)
    body = {
        "project": field.project.pk,
        "kind": RunKind.EX_POST,
        "period_start": fixture_project.PERIOD[0].isoformat(),
        "period_end": fixture_project.PERIOD[1].isoformat(),
    }
    with dying_during_dispatch(private_broker):
        response = client.post("/api/v1/calculation-runs/", body, format="json")

    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    error = response.json()["error"]
    assert error["code"] == "jobs_paused"
    assert "Su solicitud está guardada" in error["message"]  # Spanish by default
    run = CalculationRun.objects.get(pk=error["id"])
    assert (run.status, run.dispatched_at, run.dispatch_attempts) == (RunStatus.QUEUED, None, 1)

    assert resend_waiting() == 0  # the beat's sweep while Redis is still down: nothing lost
    run.refresh_from_db()
    assert (run.status, run.dispatched_at, run.dispatch_attempts) == (RunStatus.QUEUED, None, 2)

    private_broker.start()
    ran: list[str] = []
    with started_worker(ran):  # its start sends the waiting run
        wait_for(lambda: CalculationRun.objects.get(pk=run.pk).status == RunStatus.SUCCEEDED)
        assert resend_waiting() == 0  # the next beat finds nothing waiting
    run.refresh_from_db()
    assert run.dispatched_at is not None and run.dispatch_attempts == 3
    assert ran.count(RUN_TASK) == 1
    assert run.trees.count() == 47


@pytest.mark.django_db(transaction=True)
def test_a_duplicate_message_does_nothing(private_broker: PrivateRedis) -> None:  # noqa: F811
    personas, field = _project()
    run = services.start_calculation_run(
        project_id=field.project.pk,
        kind=RunKind.EX_POST,
        period_start=fixture_project.PERIOD[0],
        period_end=fixture_project.PERIOD[1],
        actor=personas.manager_a,
    )
    from quantification.tasks import execute_calculation_run_task

    execute_calculation_run_task.delay(run.pk)  # a second message for the same run
    ran: list[str] = []
    with started_worker(ran):
        wait_for(lambda: ran.count(RUN_TASK) == 2)
        wait_for(lambda: CalculationRun.objects.get(pk=run.pk).status == RunStatus.SUCCEEDED)
    run.refresh_from_db()
    assert run.trees.count() == 47  # computed and stored once
    assert run.dispatch_attempts == 1


@pytest.mark.django_db(transaction=True)
def test_only_unsent_or_long_lost_work_is_sent_again(
    private_broker: PrivateRedis,  # noqa: F811
    settings,
) -> None:
    personas, field = _project()
    run = services.start_calculation_run(  # sent; no worker takes it yet
        project_id=field.project.pk,
        kind=RunKind.EX_POST,
        period_start=fixture_project.PERIOD[0],
        period_end=fixture_project.PERIOD[1],
        actor=personas.manager_a,
    )
    queue = private_broker.client()
    assert _run_messages(queue) == 1
    assert resend_waiting() == 0  # waiting in the queue: not sent twice
    sent_at = CalculationRun.objects.get(pk=run.pk).dispatched_at
    CalculationRun.objects.filter(pk=run.pk).update(
        dispatched_at=sent_at - dt.timedelta(seconds=settings.DISPATCH_RESEND_AFTER + 1)
    )
    assert resend_waiting() == 1  # presumed lost: sent again (the duplicate is harmless)
    assert resend_waiting() == 0
    assert _run_messages(queue) == 2


@pytest.mark.django_db(transaction=True)
def test_the_admin_says_in_spanish_that_the_run_is_saved(
    private_broker: PrivateRedis,  # noqa: F811
) -> None:
    from django.test import Client

    from tests.base import PASSWORD

    personas, field = _project()
    private_broker.stop()  # already down when the manager starts the run
    client = Client()
    assert client.login(username=personas.manager_a.username, password=PASSWORD)
    form = {
        "project": field.project.pk,
        "kind": "ex_post",
        "period_start": fixture_project.PERIOD[0].isoformat(),
        "period_end": fixture_project.PERIOD[1].isoformat(),
        "parameter_set": "",
        "project_emissions_tco2e": "0",
    }
    page = client.post(
        "/admin/quantification/calculationrun/add/", form, HTTP_ACCEPT_LANGUAGE="es", follow=True
    )
    assert page.status_code == 200
    assert "Su solicitud está guardada y se ejecutará" in page.content.decode()
    run = CalculationRun.objects.get()
    assert (run.status, run.dispatched_at, run.dispatch_attempts) == (RunStatus.QUEUED, None, 1)


@pytest.mark.django_db(transaction=True)
def test_a_run_started_while_the_broker_hangs_is_answered_in_seconds(
    private_broker: PrivateRedis,  # noqa: F811
) -> None:
    """A broker that accepts connections and answers nothing (a frozen Redis, a failover, a
    half-open link): the start ends with JobsPaused within seconds instead of waiting forever,
    and the run waits unsent until the broker answers, then is sent once."""
    personas, field = _project()
    private_broker.freeze()
    answer = answered_within(
        HUNG_BROKER_SECONDS,
        lambda: services.start_calculation_run(
            project_id=field.project.pk,
            kind=RunKind.EX_POST,
            period_start=fixture_project.PERIOD[0],
            period_end=fixture_project.PERIOD[1],
            actor=personas.manager_a,
        ),
        thaw=private_broker,
    )
    assert answer.finished, f"still waiting on the broker after {answer.seconds:.0f} s"
    assert isinstance(answer.error, JobsPaused), answer
    run = CalculationRun.objects.get(pk=answer.error.pk)
    assert (run.status, run.dispatched_at) == (RunStatus.QUEUED, None)

    assert resend_waiting() == 1  # the broker answers again: the sweep sends it, once
    assert resend_waiting() == 0
    # The send that timed out may have written its message before the broker froze (on a
    # connection opened earlier): it arrives at the thaw, a duplicate the run's claim ignores.
    messages = _run_messages(private_broker.client())
    assert messages in (1, 2)
    ran: list[str] = []
    with started_worker(ran):
        wait_for(lambda: ran.count(RUN_TASK) == messages)
        wait_for(lambda: CalculationRun.objects.get(pk=run.pk).status == RunStatus.SUCCEEDED)
    assert run.trees.count() == 47  # computed and stored once
