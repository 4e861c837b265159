"""The migration that allows one open membership per family first closes the extra ones that
the admin's old editable inline could leave: the family keeps the membership its cooperative
names, and the others end the day it began."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from smallholders.models import CooperativeMembership
from smallholders.services import register_smallholder
from tests.base import build_personas, make_cooperative

pytestmark = pytest.mark.django_db(transaction=True)  # migrations run outside a transaction

BEFORE = [("smallholders", "0002_name_index")]


def _migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def test_extra_open_memberships_are_closed_before_the_constraint():
    personas = build_personas()
    family = register_smallholder(
        project=personas.project_a,
        cooperative=personas.coop_a1,
        dni="45000003",
        first_name="Ana",
        last_name="Rojas",
        joined_on=dt.date(2020, 3, 1),
    )
    coop_a2 = make_cooperative("a2", personas.project_a, seed=7)
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    _migrate(BEFORE)
    # What the old inline allowed: a second open membership, the family's cooperative unchanged.
    CooperativeMembership.objects.create(
        smallholder=family, cooperative=coop_a2, joined_on=dt.date(2023, 1, 10)
    )
    _migrate(latest)
    rows = family.memberships.order_by("joined_on").values_list(
        "cooperative_id", "joined_on", "left_on"
    )
    assert list(rows) == [
        (personas.coop_a1.pk, dt.date(2020, 3, 1), None),
        (coop_a2.pk, dt.date(2023, 1, 10), dt.date(2023, 1, 10)),
    ]
