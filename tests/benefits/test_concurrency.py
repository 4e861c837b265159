"""Two or more managers distributing the same sales at once, on PostgreSQL with real threads.

With locks, each sale is distributed once and the others get a clear refusal. The control case
turns locking off and must observe the race (the unique-sale backstop firing); otherwise the
locked test would prove nothing.
"""

from decimal import Decimal

import pytest
from django.db import IntegrityError
from django.utils import timezone

from benefits import services
from benefits.exceptions import BenefitsError
from benefits.models import DistributionSale
from credits import services as credits_services
from smallholders.choices import Role
from tests.base import build_personas, make_user
from tests.benefits.conftest import monitor
from tests.credits.factories import make_buyer, make_parcels, make_run
from tests.credits.helpers import buy
from tests.credits.test_concurrency import race

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

THREADS = 8


class Stub:
    def __init__(self) -> None:
        import datetime as dt

        self.personas = build_personas()
        project = self.personas.project_a
        self.parcels = make_parcels(project, self.personas.coop_a1, count=3)
        for parcel in self.parcels:
            monitor(parcel, planted=100, alive=90, on=timezone.localdate() - dt.timedelta(days=30))
        run = make_run(project, self.parcels, vintages={2012: (900, 100)})
        credits_services.issue_credits(run_id=run.pk, actor=None)
        self.project_id = project.pk
        self.buyer, self.buyer_account = make_buyer()
        self.sales = [buy(self, 10) for _ in range(5)]
        services.record_exchange_rate(
            currency="USD", rate_to_pen=Decimal("3.7"), source="SBS", rate_date=timezone.localdate()
        )
        services.create_policy(project=project, actor=None, producers_share=Decimal("0.7"))
        self.managers = [
            make_user(f"m{i}", Role.MANAGER, projects=(project,)) for i in range(THREADS)
        ]


def _distribute(stub: Stub):
    def worker(i: int):
        return services.create_distribution(project=stub.personas.project_a, actor=stub.managers[i])

    return worker


def test_each_sale_is_distributed_once():
    stub = Stub()
    results = race(_distribute(stub), THREADS)
    done = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, BenefitsError)]
    assert len(done) == 1 and len(refused) == THREADS - 1, results
    assert DistributionSale.objects.count() == len(stub.sales)


def test_control_without_locks_the_race_hits_the_backstop(settings):
    settings.CREDITS_LOCKING_ENABLED = False
    stub = Stub()
    results = race(_distribute(stub), THREADS)
    assert any(isinstance(r, IntegrityError) for r in results), results
    assert DistributionSale.objects.count() == len(stub.sales)  # the constraint held
