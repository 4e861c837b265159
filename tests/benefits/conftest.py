"""A project with sold credits, monitored parcels, a 60%-of-gross policy and a USD rate."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from benefits import services
from benefits.models import SharingPolicy
from credits.models import Sale
from parcels.models import Species
from parcels.services import record_planting, record_survival_count
from tests.credits.conftest import Ledger, ledger  # noqa: F401 (fixture)
from tests.credits.helpers import buy
from tests.parcels.builders import make_species

RATE = Decimal("3.750000")


@dataclass
class Sold:
    ledger: Ledger
    sales: list[Sale]
    policy: SharingPolicy

    @property
    def project(self):
        return self.ledger.personas.project_a


def monitor(parcel, *, planted: int, alive: int, on: dt.date) -> None:
    species = Species.objects.order_by("pk").first() or make_species("ingaed", "Inga edulis")
    parcel.refresh_from_db()  # the factory left area_ha as text
    planting = record_planting(
        parcel=parcel, species=species, planted_on=dt.date(2011, 3, 1), trees_planted=planted
    )
    record_survival_count(planting=planting, counted_on=on, trees_alive=alive)


@pytest.fixture
def sold(ledger: Ledger) -> Sold:  # noqa: F811
    """Two sales of 2012 VER at 15 USD (100 + 50 t); parcel 0 at 50% survival (held)."""
    recent = timezone.localdate() - dt.timedelta(days=200)
    monitor(ledger.parcels[0], planted=100, alive=50, on=recent)
    monitor(ledger.parcels[1], planted=100, alive=90, on=recent)
    monitor(ledger.parcels[2], planted=100, alive=80, on=recent)
    sales = [buy(ledger, 100), buy(ledger, 50)]
    services.record_exchange_rate(
        currency="USD", rate_to_pen=RATE, source="SBS venta", rate_date=timezone.localdate()
    )
    policy = services.create_policy(
        project=ledger.personas.project_a,
        actor=ledger.personas.manager_a,
        producers_share=Decimal("0.60"),
        cooperative_share=Decimal("0.10"),
        community_fund_share=Decimal("0.05"),
        costs=[{"name": "verification", "fraction": "0.08"}],
    )
    return Sold(ledger=ledger, sales=sales, policy=policy)
