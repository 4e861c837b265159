"""The panel's figures equal the ledger's and the runs' own totals, per role and scope."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from credits.models import CreditVintage, IssuanceContribution
from parcels.choices import ParcelStatus
from parcels.models import Parcel
from quantification.models import CalculationRun, RunKind, RunStatus
from smallholders.models import Cooperative, Smallholder
from tests.base import build_personas


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def figure(html: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}"[^>]*><span class="figure">([^<]+)</span>', html)
    assert match, name
    return match.group(1).strip()


def es_int(text: str) -> int:
    return int(re.sub(r"[.\s\xa0]", "", text))


def es_decimal(text: str) -> Decimal:
    return Decimal(re.sub(r"[.\s\xa0]", "", text).replace(",", "."))


def test_the_manager_sees_the_project_figures_of_the_ledger_and_the_runs(demo) -> None:
    html = client_for("gestor").get(reverse("backoffice:dashboard", args=["pch"])).content.decode()

    validated = Parcel.objects.filter(project=demo, status=ParcelStatus.VALIDATED)
    assert es_int(figure(html, "families")) == Smallholder.objects.filter(project=demo).count()
    assert es_int(figure(html, "parcels")) == Parcel.objects.filter(project=demo).count()
    hectares = validated.aggregate(s=Sum("area_ha"))["s"].quantize(Decimal("0.01"))
    assert es_decimal(figure(html, "hectares")) == hectares
    approved = CalculationRun.objects.filter(project=demo, status=RunStatus.APPROVED)
    verified = approved.filter(kind=RunKind.EX_POST).aggregate(s=Sum("net_tco2e"))["s"]
    assert es_decimal(figure(html, "verified")) == verified.quantize(Decimal("0.1"))
    for unit_type in ("PER", "VER"):
        row = re.search(rf'data-unit-type="{unit_type}">(.*?)</tr>', html, re.S).group(1)
        cells = [es_int(c) for c in re.findall(r"<td>([^<]+)</td>", row)]
        totals = CreditVintage.objects.filter(project=demo, unit_type=unit_type).aggregate(
            *(Sum(f) for f in ("issued", "buffer", "available", "reserved", "held", "retired"))
        )
        assert cells == list(totals.values()), unit_type


def test_a_technician_sees_only_their_cooperative(demo) -> None:
    html = (
        client_for("tecnico-cac-ubiriki")
        .get(reverse("backoffice:dashboard", args=["pch"]), {"cooperative": "cafe-kuviriari"})
        .content.decode()
    )
    own = Cooperative.objects.get(code="cac-ubiriki")
    assert es_int(figure(html, "families")) == Smallholder.objects.filter(cooperative=own).count()
    assert es_int(figure(html, "cooperatives")) == 1
    units = IssuanceContribution.objects.filter(
        smallholder__cooperative=own, issuance__unit_type="VER"
    )
    row = re.search(r'data-unit-type="VER">(.*?)</tr>', html, re.S).group(1)
    issued = es_int(re.findall(r"<td>([^<]+)</td>", row)[0])
    assert issued == units.aggregate(s=Sum("units"))["s"]
    assert "Río Ubiriki" in html and "Alto Kuviriari" not in html


def test_a_manager_can_look_through_one_cooperative(demo) -> None:
    client = client_for("gestor")
    url = reverse("backoffice:dashboard", args=["pch"])
    other = Cooperative.objects.get(code="cafe-kuviriari")
    html = client.get(url, {"cooperative": other.code}).content.decode()
    assert es_int(figure(html, "families")) == Smallholder.objects.filter(cooperative=other).count()
    assert client.get(url, {"cooperative": "no-such"}).status_code == 404


@pytest.mark.django_db
def test_only_panel_roles_enter_and_only_their_projects(client) -> None:
    personas = build_personas()
    url_a = reverse("backoffice:dashboard", args=[personas.project_a.code])
    url_b = reverse("backoffice:dashboard", args=[personas.project_b.code])
    assert client.get(url_a).status_code == 302  # anonymous: to the sign-in page
    for person, a, b in [
        (personas.manager_a, 200, 404),
        (personas.staff_a1, 200, 404),
        (personas.staff_b1, 404, 200),
        (personas.verifier, 200, 200),
        (personas.superuser, 200, 200),
        (personas.buyer, 404, 404),
        (personas.nobody, 404, 404),
    ]:
        client.force_login(person)
        assert (client.get(url_a).status_code, client.get(url_b).status_code) == (a, b), person
    client.force_login(personas.buyer)
    assert client.get(reverse("backoffice:home")).status_code == 404
    client.force_login(personas.manager_a)
    assert client.get(reverse("backoffice:home")).url == url_a


def test_the_page_is_in_spanish_with_spanish_numbers(demo) -> None:
    html = client_for("gestor").get(reverse("backoffice:dashboard", args=["pch"])).content.decode()
    assert "El proyecto de un vistazo" in html
    assert "Qué hay que hacer" in html
    assert re.search(r"\d[.\xa0]\d{3}", figure(html, "trees"))  # thousands grouped
    assert "," in figure(html, "hectares")
    english = client_for("gestor")
    english.cookies["django_language"] = "en"
    english.post(reverse("set_language"), {"language": "en", "next": "/"})
    html_en = english.get(reverse("backoffice:dashboard", args=["pch"])).content.decode()
    assert "The project at a glance" in html_en


def test_every_card_opens_the_list_behind_it_for_whoever_sees_it(demo) -> None:
    url = reverse("backoffice:dashboard", args=["pch"])
    for username in ("gestor", "tecnico-cac-ubiriki", "verificador"):
        client = client_for(username)
        links = re.findall(
            r'<a class="card" data-figure="[\w-]+" href="([^"]+)"', client.get(url).content.decode()
        )
        assert len(links) >= 5, username
        for link in links:
            assert client.get(link.replace("&amp;", "&")).status_code == 200, (username, link)


def test_the_money_cards_are_the_payment_ledgers(demo) -> None:
    from benefits.choices import LineStatus
    from benefits.models import PaymentEvent, TrustHold

    html = client_for("gestor").get(reverse("backoffice:dashboard", args=["pch"])).content.decode()
    paid = PaymentEvent.objects.filter(
        line__distribution__project=demo, status=LineStatus.PAID
    ).aggregate(s=Sum("amount"))["s"]
    assert paid and es_decimal(figure(html, "paid").removesuffix(" PEN")) == paid
    held = TrustHold.objects.filter(line__distribution__project=demo, status="held")
    held_total = held.aggregate(s=Sum("amount"))["s"] or Decimal(0)
    assert es_decimal(figure(html, "held").removesuffix(" PEN")) == held_total
    share = figure(html, "share")
    assert share.endswith("%") and int(share.removesuffix("%").strip()) >= 60
    assert 'data-key="distributions"' in html and 'data-key="payments"' in html


def test_every_chart_downloads_as_csv_and_xlsx_with_the_rows_it_draws(demo) -> None:
    import io

    from django.utils import translation
    from openpyxl import load_workbook

    from backoffice.selectors.access import access_panel_view
    from backoffice.selectors.charts import CHARTS

    manager = User.objects.get(username="gestor")
    view = access_panel_view(user=manager, project_code="pch")
    client = client_for("gestor")
    html = client.get(reverse("backoffice:dashboard", args=["pch"])).content.decode()
    for key, build in CHARTS.items():
        with translation.override("es"):  # the page's language
            chart = build(user=manager, view=view)
        url = reverse("backoffice:chart-xlsx", args=["pch", key])
        assert f'href="{url}"' in html
        response = client.get(url)
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert rows[0] == chart.columns
        expected = [[None if c is None else (c if isinstance(c, str) else float(c))
                     for c in row] for row in chart.rows]  # fmt: skip
        assert [[c if c is None or isinstance(c, str) else float(c) for c in row]
                for row in rows[1:]] == expected, key  # fmt: skip
        assert client.get(reverse("backoffice:chart-csv", args=["pch", key])).status_code == 200
