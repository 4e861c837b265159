"""Fixtures of the credit registry admin tests: managers of project A and B, ex-ante units."""

import pytest
from django.test import Client

from credits import services
from quantification.models import RunKind
from smallholders.choices import Role
from tests.base import make_user
from tests.credits.admin.helpers import login
from tests.credits.factories import make_run
from tests.credits.helpers import buy


@pytest.fixture
def manager(ledger) -> Client:
    return login(ledger.personas.manager_a)


@pytest.fixture
def manager_b(ledger):
    return make_user("manager_b", Role.MANAGER, projects=(ledger.personas.project_b,))


@pytest.fixture
def ex_ante(ledger):
    """Ex-ante 2014 issued (100 + 25 buffer), 80 sold; the verified 2014 run issued (60 + 20)."""
    planned = make_run(
        ledger.personas.project_a, ledger.parcels, vintages={2014: (100, 25)}, kind=RunKind.EX_ANTE
    )
    services.issue_credits(run_id=planned.pk, actor=None)
    buy(ledger, 80, vintage=2014, unit_type="PER")
    verified = make_run(ledger.personas.project_a, ledger.parcels, vintages={2014: (60, 20)})
    services.issue_credits(run_id=verified.pk, actor=None)
    return verified
