"""A run through the real Celery worker, the run page in Spanish, issuance example P6."""

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from celery.signals import task_postrun
from django.test import Client

from parcels.models import Species
from parcels.species_catalogue import load_species
from quantification import services, storage
from quantification.engine import removals
from quantification.engine.parameters import CarbonParameters
from quantification.figures import split_vintages
from quantification.models import RunKind, RunStatus
from tests.base import PASSWORD
from tests.quantification.runs import fixture_project


@pytest.fixture
def field_before_the_worker(transactional_db):
    """The field data, written before the worker starts (requested first): each committed row
    queues a back-office figures refresh, which a worker would run at once, and a shared
    in-memory SQLite database refuses a second writer instead of waiting."""
    from tests.base import build_personas

    if not Species.objects.exists():  # an earlier transactional test flushed the seed
        load_species(Species)
    personas = build_personas()
    return personas, fixture_project.build(personas)


@pytest.mark.django_db(transaction=True)
def test_it_completes_a_run_in_the_celery_worker(field_before_the_worker, celery_worker_on_redis):
    personas, field = field_before_the_worker
    services.ensure_default_parameter_set(project_id=field.project.pk)
    finished: set[int] = set()
    news = threading.Event()

    def note_run_finished(sender=None, args=(), **_):
        if sender is not None and sender.name == "parcels.execute_calculation_run" and args:
            finished.add(int(args[0]))
            news.set()

    # Wait on the worker's own signal for this run's id: messages that other tasks queue (the
    # figures refresh) finish too, and the database is left to the worker while it works.
    task_postrun.connect(note_run_finished, weak=False)
    try:
        run = services.start_calculation_run(
            project_id=field.project.pk,
            kind=RunKind.EX_POST,
            period_start=fixture_project.PERIOD[0],
            period_end=fixture_project.PERIOD[1],
            actor=personas.manager_a,
        )
        deadline = time.monotonic() + 90
        while run.pk not in finished and time.monotonic() < deadline:
            news.wait(timeout=1)
            news.clear()
        assert run.pk in finished, "the worker did not finish the run within 90 s"
    finally:
        task_postrun.disconnect(note_run_finished)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.trees.count() == 47 and run.parcels.count() == 5 and run.issuable_tco2e > 0


def test_it_shows_the_per_parcel_table_and_warnings_in_spanish(personas):
    field = fixture_project.build(personas)
    run = fixture_project.run(field, personas.manager_a, kind=RunKind.EX_POST)
    client = Client()
    assert client.login(username=personas.verifier.username, password=PASSWORD)
    page = client.get(
        f"/admin/quantification/calculationrun/{run.pk}/change/", HTTP_ACCEPT_LANGUAGE="es"
    )
    text = page.content.decode()
    assert page.status_code == 200
    for code in ("P1", "P2", "P3", "P4", "P5"):
        assert f"<td>{code}</td>" in text
    assert "Media del estrato" in text and "Parcelas de muestreo propias" in text
    assert "Contribución neta (tCO2e)" in text
    assert "ninguna corrida ex ante aprobada" in text  # the no-cap warning, translated


def test_it_reproduces_the_issuance_example_p6_through_the_run_logic():
    params = CarbonParameters(buffer_fraction=0.30)
    issuance = removals.compute_issuance(
        c_t1=12500, c_t2=19800, params=params, ghg_emissions=50, baseline=600
    )
    assert issuance.delta_c_p == Decimal(7300) and issuance.delta_c_actual == Decimal(7250)
    assert issuance.delta_c_net == Decimal(6650)
    assert (issuance.buffer, issuance.issuable) == (1995, 4655)
    vintages = split_vintages(
        start=dt.date(2019, 7, 1),
        end=dt.date(2020, 12, 31),
        net=Decimal("6650.000"),
        buffer=issuance.buffer,
        issuable=issuance.issuable,
    )
    assert sum(v["issuable_tco2e"] for v in vintages) == 4655
    assert sum(v["buffer_tco2e"] for v in vintages) == 1995
    assert sum(v["net_tco2e"] for v in vintages) == Decimal(6650)
    shares = storage.allocate(vintages[1]["issuable_tco2e"], [3.0, 1.0, 0.0, 2.5])
    assert shares.sum() == vintages[1]["issuable_tco2e"] and shares[2] == 0
