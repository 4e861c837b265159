"""The annual report is a real PDF whose figures are the ledger's for that year."""

import subprocess

import pytest
from django.contrib.auth.models import User
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from credits.models import Issuance, Retirement
from credits.selectors import year_activity
from smallholders.models import Smallholder
from tests.base import PASSWORD


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return done.stdout.decode()


def test_the_annual_report_is_a_pdf_in_each_language(demo, tmp_path) -> None:
    client = Client()
    client.force_login(User.objects.get(username="gestor"))
    year = Issuance.objects.filter(project=demo).latest("issued_at").issued_at.year
    url = reverse("backoffice:report", args=["pch", year])
    spanish = client.get(url, {"lang": "es"})
    assert spanish["Content-Type"] == "application/pdf" and spanish.content.startswith(b"%PDF")
    text = pdf_text(spanish.content, tmp_path)
    assert f"Informe anual {year}" in text and "Familias, parcelas y árboles" in text
    families = Smallholder.objects.filter(project=demo).count()
    assert f"familias {families}" in " ".join(text.split())
    english = pdf_text(client.get(url, {"lang": "en"}).content, tmp_path)
    assert f"Annual report {year}" in english and "Families, parcels and trees" in english
    assert client.get(url, {"lang": "fr"}).status_code == 400


def test_the_years_activity_is_the_ledgers(demo) -> None:
    retired = Retirement.objects.filter(project=demo).first()
    activity = year_activity(project_id=demo.pk, year=retired.retired_on.year)
    expected = Retirement.objects.filter(
        project=demo, unit_type=retired.unit_type, retired_on__year=retired.retired_on.year
    ).aggregate(s=Sum("quantity"))["s"]
    assert activity.retired[retired.unit_type] == expected
    issued = Issuance.objects.filter(project=demo).first()
    year = issued.issued_at.year
    rows = Issuance.objects.filter(project=demo, unit_type=issued.unit_type, issued_at__year=year)
    totals = rows.aggregate(q=Sum("quantity"), b=Sum("buffer_quantity"))
    assert year_activity(project_id=demo.pk, year=year).issued[issued.unit_type] == (
        totals["q"] + totals["b"]
    )


@pytest.mark.parametrize("year", [0, 1900, 2009, 99999])
def test_a_year_outside_the_projects_life_has_no_report(personas, year) -> None:
    """Crediting from 2010 to 2039: a report of year 0 or 99999 was a ValueError (a 500),
    one of 1900 an empty PDF."""
    client = Client()
    assert client.login(username="manager_a", password=PASSWORD)
    response = client.get(reverse("backoffice:report", args=[personas.project_a.code, year]))
    assert response.status_code == 404
