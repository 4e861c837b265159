"""A technician finds a family and reads their page: parcels, trees, tonnes and credits."""

import re
from decimal import Decimal

from django.contrib.auth.models import User
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from credits.models import IssuanceContribution
from quantification.models import ParcelResult, RunKind, RunStatus
from smallholders.models import Smallholder


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_a_technician_finds_their_families_only(demo) -> None:
    own = Smallholder.objects.filter(cooperative__code="cac-ubiriki").order_by("pk").first()
    other = Smallholder.objects.exclude(cooperative__code="cac-ubiriki").order_by("pk").first()
    url = reverse("backoffice:families", args=["pch"])
    technician = client_for("tecnico-cac-ubiriki")
    found = technician.get(url, {"q": own.last_name.split()[0]}).content.decode()
    assert own.first_name in found
    by_dni = technician.get(url, {"q": own.dni}).content.decode()
    assert f"/families/{own.pk}/" in by_dni
    assert f"/families/{other.pk}/" not in technician.get(url, {"q": other.dni}).content.decode()
    family = reverse("backoffice:family", args=["pch", other.pk])
    assert technician.get(family).status_code == 404


def test_the_family_page_adds_up_to_the_runs_and_the_ledger(demo) -> None:
    family = (
        IssuanceContribution.objects.values("smallholder")
        .annotate(n=Sum("units"))
        .order_by("-n")
        .first()["smallholder"]
    )
    smallholder = Smallholder.objects.get(pk=family)
    staff = f"tecnico-{smallholder.cooperative.code}"
    html = client_for(staff).get(reverse("backoffice:family", args=["pch", family])).content
    html = html.decode()
    tonnes = ParcelResult.objects.filter(
        parcel__smallholder=smallholder, run__kind=RunKind.EX_POST, run__status=RunStatus.APPROVED
    ).aggregate(s=Sum("net_tco2e"))["s"]
    shown = re.search(r'data-figure="tonnes"><span class="figure">([^<]+)<', html).group(1)
    assert Decimal(re.sub(r"[.\s\xa0]", "", shown).replace(",", ".")) == tonnes.quantize(
        Decimal("0.1")
    )
    ver = IssuanceContribution.objects.filter(smallholder=smallholder, issuance__unit_type="VER")
    shown_ver = re.search(r'data-figure="credits-VER"><span class="figure">([^<]+)<', html)
    assert int(re.sub(r"[.\s\xa0]", "", shown_ver.group(1))) == ver.aggregate(s=Sum("units"))["s"]
    assert smallholder.dni in html  # their cooperative's staff read personal data
    verifier = client_for("verificador").get(reverse("backoffice:family", args=["pch", family]))
    assert verifier.status_code == 200 and smallholder.dni not in verifier.content.decode()


def test_the_family_page_links_their_payments_and_statements_for_whoever_may_read_them(
    demo,
) -> None:
    from benefits.models import DistributionLine, PaymentEvent
    from benefits.statements import issue_statement

    paid = PaymentEvent.objects.filter(line__distribution__project=demo, status="paid")
    smallholder = paid.order_by("pk").first().line.smallholder
    statement, _facts = issue_statement(smallholder=smallholder, project=demo, period=None)
    url = reverse("backoffice:family", args=["pch", smallholder.pk])
    lines = DistributionLine.objects.filter(smallholder=smallholder)
    for username in ("gestor", f"tecnico-{smallholder.cooperative.code}", "verificador"):
        client = client_for(username)
        html = client.get(url).content.decode()
        section = html.split('id="payments"')[1]
        links = re.findall(r'href="(/admin/benefits/distributionline/[^"]+)"', section)
        assert {f"/admin/benefits/distributionline/{line.pk}/change/" for line in lines} <= set(
            links
        ), username
        assert f"/statements/{statement.code}/" in html, username
        for link in {*links, reverse("benefits:verify-statement", args=[statement.code])}:
            response = client.get(link.replace("&amp;", "&"))
            assert response.status_code == 200, (username, link)
            if "changelist" in link or link.endswith("__exact=" + str(smallholder.pk)):
                assert response.context["cl"].result_count == lines.count()
    other = Smallholder.objects.exclude(cooperative=smallholder.cooperative).first()
    outsider = client_for(f"tecnico-{other.cooperative.code}")
    assert outsider.get(url).status_code == 404
