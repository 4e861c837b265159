"""An issuance's admin page stays one page of rows: totals per cooperative, largest parcels."""

import io
import re

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db.models import Sum

from credits.admin import ledger as ledger_admin
from credits.models import Issuance, IssuanceContribution


@pytest.mark.django_db
def test_the_issuance_page_shows_totals_and_only_the_largest_contributions(client, monkeypatch):
    call_command("seed_demo", "--scale", "0.1", stdout=io.StringIO())
    monkeypatch.setattr(ledger_admin, "INLINE_CONTRIBUTIONS", 3)
    issuance = Issuance.objects.filter(unit_type="VER").order_by("-quantity").first()
    rows = IssuanceContribution.objects.filter(issuance=issuance)
    assert rows.count() > 3
    client.force_login(User.objects.create_superuser("root", "root@example.org", "x"))
    page = client.get(f"/admin/credits/issuance/{issuance.pk}/change/").content.decode()
    assert len(re.findall(r'<tr class="form-row[^"]*"', page)) == 3
    largest = rows.order_by("-units", "pk").first()
    assert largest.parcel.code in page
    totals = rows.values("smallholder__cooperative__name").annotate(
        n=Sum("units"), b=Sum("buffer_units")
    )
    for row in totals:
        assert row["smallholder__cooperative__name"] in page
