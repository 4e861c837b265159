"""Issue 8, imports: the result page of a file with errors, the user's column names, GEOS reasons
in the user's language, feature counts, re-uploading with the same settings, and templates whose
example rows import as they are, in Spanish and English."""

import csv
import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from parcels.importing.services import IMPORTERS, import_context, import_file
from parcels.models import ImportJob
from smallholders.models import Smallholder
from tests.base import PASSWORD

pytestmark = pytest.mark.django_db

BOWTIE = [
    [-74.88, -10.93],
    [-74.878, -10.932],
    [-74.878, -10.93],
    [-74.88, -10.932],
    [-74.88, -10.93],
]


def square(lon, lat, side=0.001):
    return [[lon, lat], [lon + side, lat], [lon + side, lat + side], [lon, lat + side], [lon, lat]]


def feature(code, ring):
    return {
        "type": "Feature",
        "properties": {"codigo_parcela": code, "dni": "40123456", "uso_anterior": "pasto"},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def three_features():
    features = [
        feature("PCH-0501", square(-74.86, -10.95)),
        feature("PCH-0502", BOWTIE),
        feature("PCH-0503", square(-74.85, -10.95)),
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def upload(client, name, data, **fields):
    return client.post(
        reverse("parcels_import:index"),
        {"file": SimpleUploadedFile(name, data), **fields},
        HTTP_ACCEPT_LANGUAGE="es",
        follow=True,
    )


def test_a_file_with_errors_says_so_shows_them_fills_the_bar_and_offers_no_commit(field, client):
    client.login(username="staff_a1", password=PASSWORD)
    data = b"dni;nombres;apellidos;fecha_ingreso\n41234567;Ana;Paz;31/02/2019\n"
    page = upload(
        client,
        "socios.csv",
        data,
        kind="smallholders",
        project=field.personas.project_a.pk,
        cooperative=field.personas.coop_a1.pk,
        format="csv",
    ).content.decode()
    job = ImportJob.objects.get()
    assert job.status == "previewed" and len(job.errors) == 1
    assert "listo para importar" not in page
    assert "el archivo tiene errores" in page.lower()
    assert re.search(r'<progress id="job-progress" max="100" value="100"', page)
    assert reverse("parcels_import:commit", args=[job.pk]) not in page
    errors = page[page.index('id="import-errors"') :]
    assert "fecha_ingreso" in errors and "joined_on" not in errors
    assert job.errors[0]["column"] == "fecha_ingreso"
    status = client.get(reverse("parcels_import:status", args=[job.pk])).json()
    assert "listo" not in status["status_display"]


def test_the_result_page_offers_the_corrected_file_with_the_same_settings(field, client):
    client.login(username="manager_a", password=PASSWORD)
    project, coop = field.personas.project_a, field.personas.coop_a1
    page = upload(
        client,
        "parcelas.geojson",
        three_features(),
        kind="parcels",
        project=project.pk,
        cooperative=coop.pk,
        format="geojson",
        land_use_before="fallow",
    ).content.decode()
    assert "Subir el archivo corregido" in page
    form = page[page.index('id="import-again-form"') :]
    form = form[: form.index("</form>")]
    for name, value in (
        ("kind", "parcels"),
        ("project", project.pk),
        ("cooperative", coop.pk),
        ("format", "geojson"),
        ("land_use_before", "fallow"),
    ):
        assert re.search(rf'name="{name}"[^>]*>.*?<option value="{value}" selected', form, re.S), (
            name
        )
    again = upload(
        client,
        "parcelas.geojson",
        three_features(),
        kind="parcels",
        project=project.pk,
        cooperative=coop.pk,
        format="geojson",
        land_use_before="fallow",
    )
    assert again.status_code == 200 and ImportJob.objects.count() == 2


def test_a_three_feature_geojson_counts_three_rows(field):
    context = import_context(user=field.personas.staff_a1, project=field.personas.project_a)
    outcome = import_file(
        kind="parcels", data=three_features(), filename="p.geojson", context=context
    )
    plan = outcome.plan
    assert (plan.rows, plan.to_create, len(plan.errors)) == (3, 2, 1)


@pytest.mark.parametrize(
    ("language", "words", "location"),
    [
        ("es", "los bordes se cruzan", "en longitud -74.879000, latitud -10.931000"),
        ("en", "the edges cross each other", "at longitude -74.879000, latitude -10.931000"),
    ],
)
def test_geos_reasons_are_translated_with_their_location(field, language, words, location):
    context = import_context(user=field.personas.staff_a1, project=field.personas.project_a)
    with translation.override(language):
        outcome = import_file(
            kind="parcels", data=three_features(), filename="p.geojson", context=context
        )
    [error] = outcome.plan.errors
    assert words in error.message and location in error.message
    assert "Self-intersection" not in error.message


def test_the_admin_form_gives_the_same_translated_geos_reason(field):
    from django.contrib.gis.geos import GEOSGeometry

    from parcels import geo

    bowtie = GEOSGeometry(json.dumps({"type": "MultiPolygon", "coordinates": [[BOWTIE]]}))
    with translation.override("es"):
        message = str(geo.invalid_geometry_error(bowtie).messages[0])
    assert "los bordes se cruzan" in message and "Self-intersection" not in message


def test_spanish_choice_labels_are_accepted(field):
    context = import_context(user=field.personas.staff_a1, project=field.personas.project_a)
    data = (
        "dni;nombres;apellidos;forma_de_pago;billetera\n"
        "41234567;Ana;Paz;billetera móvil;964123456\n"
        "41234568;Luis;Paz;Transferencia bancaria;\n"
    ).encode()
    outcome = import_file(
        kind="smallholders", data=data, filename="s.csv", context=context, commit=True
    )
    assert outcome.committed, outcome.plan.errors
    assert Smallholder.objects.get(dni="41234567").payment_method == "mobile_wallet"
    assert Smallholder.objects.get(dni="41234568").payment_method == "bank_transfer"


@pytest.mark.parametrize("username", ["staff_a1", "manager_a"])
@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_every_template_imports_as_it_is(field, client, username, language, extension):
    field.personas.coop_a1.code = "coop-norte"  # not the code the old template hard-coded
    field.personas.coop_a1.save()
    client.login(username=username, password=PASSWORD)
    user = getattr(field.personas, username)
    for kind in IMPORTERS:
        url = reverse("parcels_import:template", args=[kind, language, extension])
        data = client.get(url).content
        if extension == "csv":
            text = data.decode("utf-8-sig")
            assert text.splitlines()[0].count(";" if language == "es" else ",") > 1
        context = import_context(user=user, project=field.personas.project_a)
        outcome = import_file(kind=kind, data=data, filename=f"t.{extension}", context=context)
        assert not outcome.plan.errors, (kind, outcome.plan.errors)
        assert outcome.plan.to_create + outcome.plan.to_update == 1, kind


def test_the_spanish_smallholder_template_uses_spanish_choice_labels(field, client):
    client.login(username="staff_a1", password=PASSWORD)
    url = reverse("parcels_import:template", args=["smallholders", "es", "xlsx"])
    book = load_workbook(io.BytesIO(client.get(url).content))
    header, example = list(book.worksheets[0].values)
    values = dict(zip(header, example, strict=True))
    assert values["forma_de_pago"] == "billetera móvil"
    assert values["cooperativa"] == field.personas.coop_a1.code


def test_csv_files_follow_one_delimiter_rule_stated_on_the_page(field, client):
    client.login(username="staff_a1", password=PASSWORD)
    page = client.get(reverse("parcels_import:index"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "«;»" in page or "“;”" in page
    client.cookies["django_language"] = "es"
    spanish = client.get("/parcels/export/parcels.csv")
    client.cookies["django_language"] = "en"
    english = client.get("/parcels/export/parcels.csv")
    assert spanish.content.decode("utf-8-sig").startswith("código;")
    assert english.content.decode("utf-8-sig").startswith("code,")
    row = next(
        csv.reader(io.StringIO(spanish.content.decode("utf-8-sig").splitlines()[1]), delimiter=";")
    )
    assert re.fullmatch(r"\d+,\d+", row[5])  # the area with a decimal comma
