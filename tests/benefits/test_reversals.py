"""Reversals shown against the past payments they touch: on the statement (JSON and PDF) and in
the admin's line page, with totals that still add up (default policy: nothing taken back)."""

import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client

from benefits.models import DistributionLine
from benefits.statements import statement_facts
from credits.models import Reversal
from credits.services import record_reversal
from tests.benefits.test_statements import paid, pdf_text, statement  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def reversed_line(paid, sold):  # noqa: F811
    parcel = sold.ledger.parcels[1]
    record_reversal(
        project_id=sold.project.pk, quantity_tco2e=Decimal("7.5"),
        parcel_ids=[parcel.pk, sold.ledger.parcels[2].pk], reason="incendio", actor=None,
    )  # fmt: skip
    return DistributionLine.objects.get(distribution=paid, smallholder_id=parcel.smallholder_id)


def test_the_statement_shows_the_reversal_next_to_the_payment(reversed_line, sold, tmp_path):
    facts = statement_facts(
        smallholder=reversed_line.smallholder, project=sold.project, period=None
    )
    (line,) = facts["lines"]
    (against,) = line.reversals
    parcel = sold.ledger.parcels[1]
    assert against.parcels == [parcel.code]  # only this family's parcel is named
    assert against.units_sold == sum(
        p["units"] for p in line.provenance if p["parcel"] == parcel.code
    )
    assert against.units_sold > 0
    assert against.taken_back == 0 and against.clawback == "never"
    totals = facts["totals"]
    assert totals["paid"] == line.amount
    assert totals["owed"] == totals["taken_back"] == totals["still_owed"] == 0
    data = json.loads(statement(sold, line.smallholder.dni, "json", tmp_path))
    (shown,) = data["lines"][0]["reversals"]
    assert shown["parcels"] == [parcel.code] and shown["taken_back"] == "0.00"
    text = pdf_text(statement(sold, line.smallholder.dni, "pdf", tmp_path), tmp_path)
    assert "Reversal of" in text and "Reversión del" in text and "Still to be deducted" in text


def test_a_family_whose_parcels_lost_nothing_sees_no_reversal(reversed_line, paid, sold):  # noqa: F811
    other = paid.lines.exclude(
        smallholder_id__in=[p.smallholder_id for p in sold.ledger.parcels[1:3]]
    )
    for line in other:
        facts = statement_facts(smallholder=line.smallholder, project=sold.project, period=None)
        assert all(not x.reversals for x in facts["lines"])
        assert not facts["has_reversals"]


def test_the_admin_line_page_lists_payments_then_the_reversal(reversed_line, sold):
    root = User.objects.create_superuser("root-rev", password="x")  # noqa: S106
    client = Client()
    client.force_login(root)
    page = client.get(f"/admin/benefits/distributionline/{reversed_line.pk}/change/")
    body = page.content.decode()
    assert page.status_code == 200
    amount = str(reversed_line.amount).replace(".", ",")  # the admin speaks Spanish first
    assert body.index("S/ " + amount) < body.index("↳")
    after = body.split("↳", 1)[1]
    assert f"n.º {Reversal.objects.get().pk} " in after and "7,5 t" in after
    assert sold.ledger.parcels[1].code in after
