from dataclasses import dataclass

import pytest

from credits.models import Account, BuyerOrganisation, Issuance
from credits.services import issue_credits
from parcels.models import Parcel
from quantification.models import CalculationRun
from tests.base import Personas
from tests.credits.factories import make_buyer, make_parcels, make_run
from tests.credits.invariants import assert_ledger_invariants


@dataclass
class Ledger:
    personas: Personas
    parcels: list[Parcel]
    run: CalculationRun
    issuances: list[Issuance]
    buyer: BuyerOrganisation
    buyer_account: Account
    issuance_account: Account
    buffer_account: Account

    @property
    def project_id(self) -> int:
        return self.personas.project_a.pk


@pytest.fixture
def ledger(personas: Personas) -> Ledger:
    """Project A with verified vintages 2012 (700 + 300 buffer) and 2013 (70 + 30) issued."""
    parcels = make_parcels(personas.project_a, personas.coop_a1, count=3)
    run = make_run(
        personas.project_a, parcels, vintages={2012: (700, 300), 2013: (70, 30)}, weights=[5, 3, 2]
    )
    issuances = issue_credits(run_id=run.pk, actor=personas.manager_a)
    buyer, buyer_account = make_buyer()
    accounts = {a.kind: a for a in Account.objects.filter(project=personas.project_a)}
    assert_ledger_invariants()
    return Ledger(
        personas=personas,
        parcels=parcels,
        run=run,
        issuances=issuances,
        buyer=buyer,
        buyer_account=buyer_account,
        issuance_account=accounts["issuance"],
        buffer_account=accounts["buffer"],
    )
