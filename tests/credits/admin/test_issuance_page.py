"""An issuance's admin page is one page of rows however many parcels it drew on: totals per
cooperative, the largest parcels, and every parcel in a CSV scoped like the page."""

import pytest
from django.urls import reverse

from credits.admin import ledger as ledger_admin
from credits.models import IssuanceContribution
from smallholders.choices import Role
from tests.base import make_user
from tests.credits.admin.helpers import login

pytestmark = pytest.mark.django_db


def test_the_page_shows_totals_and_only_the_largest_parcels(ledger, monkeypatch):
    monkeypatch.setattr(ledger_admin, "LARGEST_CONTRIBUTIONS", 2)
    issuance = ledger.issuances[0]
    page = login(ledger.personas.manager_a).get(
        reverse("admin:credits_issuance_change", args=[issuance.pk])
    )
    html = page.content.decode()
    largest = html.split('id="largest-contributions"')[1].split("</table>")[0]
    assert largest.count("<tr>") == 1 + 2  # header and the two largest of three parcels
    weights = IssuanceContribution.objects.filter(issuance=issuance).order_by("-units")
    assert [c.parcel.code in largest for c in weights] == [True, True, False]
    totals = html.split('id="contributions-by-cooperative"')[1].split("</table>")[0]
    assert ledger.personas.coop_a1.name in totals
    assert "1000" in totals.replace("\xa0", "").replace(" ", "").replace(".", "")  # 700 + 300
    assert "3 parcelas" in html


def test_the_csv_lists_every_parcel_for_those_who_see_the_page(ledger):
    issuance = ledger.issuances[0]
    url = reverse("admin:credits_issuance_contributions_csv", args=[issuance.pk])
    response = login(ledger.personas.manager_a).get(url)
    assert response.status_code == 200
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0].split(";")[0] == "parcela"
    assert sorted(line.split(";")[0] for line in lines[1:]) == sorted(
        p.code for p in ledger.parcels
    )
    other = make_user("manager_b", Role.MANAGER, projects=(ledger.personas.project_b,))
    assert login(other).get(url).status_code == 404
    assert login(ledger.personas.staff_a1).get(url).status_code == 403
