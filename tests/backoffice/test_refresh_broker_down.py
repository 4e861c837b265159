"""Field data written while the broker is down: the dashboard's figures catch up once it is back.

Each commit of field data asks a worker to refresh the project's rollups. When the broker does
not answer, that request used to be dropped (logged, the write kept): the figures stayed as
they were until some later write, however long after the broker came back. The request is now
kept on the project's rollup stamp and sent by the outbox sweep (pichanaki/dispatch.py).
"""

import datetime as dt

import pytest

from backoffice.models import CooperativeRollup, ProjectRollup
from backoffice.services import refresh_panel_rollups
from parcels import services as field_services
from parcels.models import Planting, Species
from parcels.species_catalogue import load_species
from pichanaki.dispatch import resend_waiting
from tests.base import build_personas
from tests.credits.factories import make_parcels
from tests.private_redis import (  # noqa: F401 (fixtures)
    PrivateRedis,
    private_broker,
    private_redis,
    started_worker,
    wait_for,
)

REFRESH_TASKS = ("backoffice.refresh_panel_rollups", "backoffice.refresh_wanted_rollups")


def _trees_planted(project_id: int) -> int:
    row = CooperativeRollup.objects.get(project_id=project_id, cooperative=None)
    return row.trees_planted


def _plant(parcel, trees: int) -> None:
    planting = Planting(
        parcel_id=parcel.pk,  # read back: the factory's instance holds its area as text
        species=Species.objects.get(code="INGAEDU"),
        planted_on=dt.date(2012, 1, 5),
        trees_planted=trees,
        arrangement="woodlot",
    )
    field_services.save_field_record(record=planting)


@pytest.mark.django_db(transaction=True)
def test_figures_written_while_the_broker_was_down_are_refreshed_once_it_is_back(
    private_broker: PrivateRedis,  # noqa: F811
) -> None:
    if not Species.objects.exists():  # an earlier transactional test flushed the seed
        load_species(Species)
    personas = build_personas()
    project = personas.project_a
    parcels = make_parcels(project, personas.coop_a1, count=2)
    _plant(parcels[0], 100)
    refresh_panel_rollups(project_id=project.pk)
    assert _trees_planted(project.pk) == 100

    private_broker.stop()
    _plant(parcels[1], 400)  # committed; its refresh request cannot be sent
    assert _trees_planted(project.pk) == 100
    assert ProjectRollup.objects.get(project=project).refresh_wanted is not None

    private_broker.start()
    ran: list[str] = []
    with started_worker(ran):  # its start sends what waits, as beat does every minute
        wait_for(lambda: _trees_planted(project.pk) == 500, seconds=30)
        assert resend_waiting() == 0  # nothing waits any more
    assert ran.count("backoffice.refresh_wanted_rollups") == 1
    assert ProjectRollup.objects.get(project=project).refresh_wanted is None


@pytest.mark.django_db(transaction=True)
def test_a_refresh_that_already_covers_the_wanted_one_clears_it(
    private_broker: PrivateRedis,  # noqa: F811
) -> None:
    if not Species.objects.exists():
        load_species(Species)
    personas = build_personas()
    project = personas.project_a
    parcels = make_parcels(project, personas.coop_a1, count=1)
    refresh_panel_rollups(project_id=project.pk)
    private_broker.stop()
    _plant(parcels[0], 250)
    refresh_panel_rollups(project_id=project.pk)  # a page or a later event refreshes first
    assert _trees_planted(project.pk) == 250
    assert ProjectRollup.objects.get(project=project).refresh_wanted is None
    assert resend_waiting() == 0
