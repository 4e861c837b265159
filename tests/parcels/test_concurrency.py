"""Two staff members save overlapping parcels at the same moment: only one may win."""

import contextlib
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from parcels import bulk_parcels, overlaps
from parcels.models import Parcel
from tests.base import build_personas
from tests.parcels.builders import DEG_100M_LON, cell, make_parcel, make_smallholder, square


def race(owner, monkeypatch) -> list[object]:
    """Both saves pass their overlap check before either commits, if nothing serialises them."""
    barrier = threading.Barrier(2)
    real = overlaps.find_overlaps

    def find_then_wait(*args, **kwargs):
        found = real(*args, **kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=3)  # with the lock the other save never gets here
        return found

    monkeypatch.setattr(overlaps, "find_overlaps", find_then_wait)
    outcomes: list[object] = []
    boundaries = {"A": cell(0), "B": square(-74.90 + DEG_100M_LON / 2, -10.90)}

    def save(code: str) -> None:
        try:
            outcomes.append(make_parcel(owner, code, boundaries[code]))
        except ValidationError as exc:
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(code,)) for code in boundaries]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_parcel_lock_prevents_double_claiming(monkeypatch):
    personas = build_personas()
    owner = make_smallholder(personas.project_a, personas.coop_a1)
    outcomes = race(owner, monkeypatch)
    errors = [o for o in outcomes if isinstance(o, ValidationError)]
    assert Parcel.objects.count() == 1
    assert len(errors) == 1
    assert Parcel.objects.get().code in errors[0].message_dict["boundary"][0]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_without_the_lock_both_saves_would_claim_the_same_land(monkeypatch):
    """Control: the race is real, so the previous test proves the lock, not luck."""
    personas = build_personas()
    owner = make_smallholder(personas.project_a, personas.coop_a1)
    # The parcel lock of save_parcel's door (register_parcels, through check_parcels).
    monkeypatch.setattr(bulk_parcels, "_lock_boundaries", lambda parcels: None)
    race(owner, monkeypatch)
    assert Parcel.objects.count() == 2
