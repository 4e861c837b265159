"""Managers moving the same family at once, on PostgreSQL with real threads.

With the row lock, the moves run one after the other on fresh reads: the family ends in exactly
one open membership, the one its `cooperative` names. The control turns locking off and must
observe the race, stopped by the one-open-membership constraint; otherwise the locked test
would prove nothing.
"""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from smallholders.models import CooperativeMembership, Smallholder
from smallholders.services import move_smallholder, register_smallholder
from tests.base import build_personas, make_cooperative
from tests.credits.test_concurrency import race

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

THREADS = 6


def _family_and_destinations() -> tuple[Smallholder, list]:
    personas = build_personas()
    family = register_smallholder(
        project=personas.project_a,
        cooperative=personas.coop_a1,
        dni="45000002",
        first_name="Julia",
        last_name="Quispe",
        joined_on=dt.date(2020, 3, 1),
    )
    others = [make_cooperative(f"a{i}", personas.project_a, seed=10 + i) for i in (2, 3)]
    return family, others


def _moves(family: Smallholder, destinations: list):
    def worker(i: int) -> object:
        target = destinations[i % len(destinations)]
        stale = Smallholder.objects.get(pk=family.pk)  # each request reads the family itself
        return move_smallholder(
            smallholder=stale, cooperative=target, moved_on=dt.date(2024, 6, 15)
        )

    return worker


def _open(family: Smallholder) -> list[int]:
    return list(
        CooperativeMembership.objects.filter(smallholder=family, left_on__isnull=True).values_list(
            "cooperative_id", flat=True
        )
    )


def test_racing_moves_leave_the_family_in_one_cooperative():
    family, destinations = _family_and_destinations()
    results = race(_moves(family, destinations), THREADS)
    unexpected = [r for r in results if isinstance(r, Exception)]
    # A move to the cooperative the family has just been moved to is refused by field.
    assert all(isinstance(r, ValidationError) for r in unexpected), results
    assert len(unexpected) < THREADS
    family.refresh_from_db()
    assert _open(family) == [family.cooperative_id]
    assert family.cooperative_id in {d.pk for d in destinations}


def test_control_without_the_lock_the_race_hits_the_constraint(settings):
    settings.CREDITS_LOCKING_ENABLED = False
    family, destinations = _family_and_destinations()
    results = race(_moves(family, destinations), THREADS)
    assert any(isinstance(r, IntegrityError) for r in results), results
    family.refresh_from_db()
    assert len(_open(family)) == 1  # the constraint held
