"""A serial block's admin page costs the same however many parcels its issuance drew on: the
block's units per cooperative and its largest parcel shares, computed in SQL and exactly the
ledger's largest-remainder split; every parcel's units of the block in a CSV scoped like the
page."""

import random
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from credits import traceability
from credits.admin import ledger as ledger_admin
from credits.apportion import apportion
from credits.choices import BlockState
from credits.models import IssuanceContribution, SerialBlock
from credits.services import issue_credits
from tests.credits.admin.helpers import login
from tests.credits.factories import make_parcels, make_run
from tests.credits.helpers import buy

pytestmark = pytest.mark.django_db


def _issuance_over(personas, count: int, *, side: str = "b") -> int:
    """A project's issuance of 2015 over `count` parcels of one cooperative (its id)."""
    project, cooperative = getattr(personas, f"project_{side}"), getattr(personas, f"coop_{side}1")
    parcels = make_parcels(project, cooperative, count=count)
    run = make_run(project, parcels, vintages={2015: (9000, 1000)})
    return issue_credits(run_id=run.pk, actor=None)[0].pk


def _reference(issuance_id: int, quantity: int) -> dict[int, int]:
    """The ledger's own split (credits.apportion over the weights in parcel order)."""
    rows = IssuanceContribution.objects.filter(issuance_id=issuance_id).order_by("parcel_id")
    weights = [Decimal(r.units + r.buffer_units) for r in rows]
    if not any(weights):
        return {}
    shares = apportion(quantity, weights)
    return {r.parcel_id: s for r, s in zip(rows, shares, strict=True) if s}


def test_the_sql_split_is_the_ledgers_largest_remainder_split(personas):
    issuance_id = _issuance_over(personas, 30)
    draw = random.Random(8)
    for row in IssuanceContribution.objects.filter(issuance_id=issuance_id):
        # ties, zeros and weights far apart: the cases where a remainder decides
        units = draw.choice([0, 1, 2, 3, 7, 7, 7, 50, 1000, 12_345])
        IssuanceContribution.objects.filter(pk=row.pk).update(units=units, buffer_units=units % 3)
    for quantity in (0, 1, 2, 7, 29, 30, 31, 999, 123_457):
        block = SerialBlock(issuance_id=issuance_id, quantity=quantity)
        expected = _reference(issuance_id, quantity)
        shares = list(traceability.block_shares(block=block))
        assert {s.parcel_id: s.units for s in shares} == expected, quantity
        provenance = traceability.block_provenance(block=block, largest=5)
        assert sum(c["units"] for c in provenance.cooperatives) == quantity
        assert provenance.parcels == len(expected)
        assert [s.units for s in provenance.largest] == sorted(expected.values())[::-1][:5]


def _page_costs(client, block: SerialBlock) -> tuple[int, int, str]:
    """Queries and model instances it takes to render the block's page, and the page."""
    url = reverse("admin:credits_serialblock_change", args=[block.pk])
    client.get(url)  # warm: the session's and the registry's first reads are not the page's
    built = []

    def count(sender, **kwargs):
        built.append(sender)

    post_init.connect(count)
    try:
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url)
    finally:
        post_init.disconnect(count)
    assert page.status_code == 200
    return len(queries), len(built), page.content.decode()


def test_the_page_costs_the_same_for_a_small_and_a_large_issuance(personas, monkeypatch):
    monkeypatch.setattr(ledger_admin, "LARGEST_SHARES", 3)
    small, large = _issuance_over(personas, 4, side="a"), _issuance_over(personas, 60)
    client = login(personas.superuser)
    costs = []
    for issuance_id in (small, large):
        block = SerialBlock.objects.get(issuance_id=issuance_id, account__kind="issuance")
        queries, instances, html = _page_costs(client, block)
        costs.append((queries, instances))
        largest = html.split('id="block-largest-parcels"')[1].split("</table>")[0]
        assert largest.count("<tr>") == 1 + 3  # the header and the three largest shares
    assert costs[0] == costs[1]


def test_the_page_names_cooperatives_and_largest_parcels_and_the_csv_every_parcel(ledger):
    """Parcels weigh 5:3:2 (units + buffer units); 7 units split 3.5/2.1/1.4 → 4/2/1."""
    buy(ledger, 7)
    block = SerialBlock.objects.get(account=ledger.buyer_account, state=BlockState.ACTIVE)
    manager = login(ledger.personas.manager_a)
    html = manager.get(reverse("admin:credits_serialblock_change", args=[block.pk])).content
    html = html.decode()
    totals = html.split('id="block-by-cooperative"')[1].split("</table>")[0]
    assert ledger.personas.coop_a1.name in totals and "<td>7</td>" in totals
    largest = html.split('id="block-largest-parcels"')[1].split("</table>")[0]
    cells = [row.split("</td><td>")[-1] for row in largest.split("<tr>")[2:]]
    assert [c.split("</td>")[0] for c in cells] == ["4", "2", "1"]
    assert "3 parcelas" in html
    csv_url = reverse("admin:credits_serialblock_parcels_csv", args=[block.pk])
    assert csv_url in html
    lines = manager.get(csv_url).content.decode("utf-8-sig").strip().splitlines()
    assert lines[0].split(";")[0] == "parcela"
    assert sorted((line.split(";")[0], line.split(";")[-1]) for line in lines[1:]) == sorted(
        (p.code, str(units)) for p, units in zip(ledger.parcels, (4, 2, 1), strict=True)
    )


def test_the_csv_is_scoped_like_the_page(ledger, manager_b):
    block = SerialBlock.objects.filter(issuance=ledger.issuances[0]).first()
    url = reverse("admin:credits_serialblock_parcels_csv", args=[block.pk])
    assert login(ledger.personas.manager_a).get(url).status_code == 200
    assert login(manager_b).get(url).status_code == 404
    assert login(ledger.personas.staff_a1).get(url).status_code == 403
