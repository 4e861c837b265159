"""Issue 9, imports that cannot hurt: short rows, ZIP bombs and member floods, and formulas in
exported CSV cells."""

import csv
import io
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from parcels.importing.services import (
    create_import_job,
    import_context,
    import_file,
    preview_import_job,
)
from parcels.models import ImportJob, Parcel
from smallholders.models import Smallholder
from tests.base import PASSWORD

pytestmark = pytest.mark.django_db

SMALLHOLDER_HEADER = (
    "dni;nombres;apellidos;sexo;anio_nacimiento;telefono;caserio;distrito;"
    "cooperativa;fecha_ingreso;fecha_acuerdo;forma_de_pago;billetera;"
    "observaciones\n"
)
FULL_ROW = "41234567;Ana;Paz;mujer;1975;964123456;Alto;Pichanaqui;a1;15/03/2010;;;;\n"


def run(field, kind, data, name, commit=False):
    context = import_context(user=field.personas.staff_a1, project=field.personas.project_a)
    return import_file(kind=kind, data=data, filename=name, context=context, commit=commit)


def test_a_row_cut_short_is_an_error_naming_the_row_and_the_missing_columns(field):
    data = (SMALLHOLDER_HEADER + FULL_ROW + "41234568;Luis;Paz;hombre\n").encode()
    outcome = run(field, "smallholders", data, "socios.csv", commit=True)
    assert not outcome.committed
    [error] = outcome.plan.errors
    assert error.row == 3
    assert "4" in error.message and "14" in error.message
    assert "anio_nacimiento" in error.message and "observaciones" in error.message
    assert not Smallholder.objects.filter(dni__in=["41234567", "41234568"]).exists()


def test_a_short_measurement_row_is_an_error_in_the_column_reader_too(field):
    data = (
        b"parcela;parcela_muestreo;fecha;arbol;especie;dap;altura;estado\n"
        b"PCH-0001;P1;20/06/2024;1;Inga edulis;12,5;8,2;vivo\n"
        b"PCH-0001;P1;20/06/2024;2;Inga edulis\n"
    )
    outcome = run(field, "measurements", data, "a.csv", commit=True)
    assert not outcome.committed
    [error] = outcome.plan.errors
    assert error.row == 3 and "dap, altura, estado" in error.message


def kmz_expanding_to(megabytes, placemarks=b""):
    """A KMZ whose doc.kml is `placemarks` followed by `megabytes` MB of blanks (packs ~1,000:1)."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("doc.kml", "w") as member,
    ):
        member.write(b'<kml xmlns="http://www.opengis.net/kml/2.2"><Document>' + placemarks)
        chunk = b" " * (1024 * 1024)
        for _ in range(megabytes):
            member.write(chunk)
        member.write(b"</Document></kml>")
    return buffer.getvalue()


def placemark(code: str, west: float) -> bytes:
    east = west + 0.002
    return (
        f"<Placemark><name>{code}</name><ExtendedData><Data name='dni'><value>40123456"
        "</value></Data><Data name='uso_anterior'><value>pasto</value></Data></ExtendedData>"
        f"<Polygon><outerBoundaryIs><LinearRing><coordinates>{west},-10.97 {east},-10.97 "
        f"{east},-10.968 {west},-10.97</coordinates></LinearRing></outerBoundaryIs></Polygon>"
        "</Placemark>"
    ).encode()


def test_a_kmz_bomb_is_refused_while_it_streams(field):
    bomb = kmz_expanding_to(200)
    assert len(bomb) < 400_000
    tracemalloc.start()
    try:
        job = create_import_job(
            user=field.personas.staff_a1,
            kind="parcels",
            project=field.personas.project_a,
            cooperative=None,
            upload=SimpleUploadedFile("bomba.kmz", bomb),
        )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 * 1024 * 1024, peak  # the web request unpacked nothing
    assert job.run_async  # the worker looks inside
    tracemalloc.start()
    try:
        job = preview_import_job(job_id=job.pk)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # The worker inflated only up to the ratio limit (50 × ~200 KB), not the 200 MB.
    assert peak < 20 * 1024 * 1024, peak
    [error] = job.errors
    assert "doc.kml" in error["message"] and "50 times its packed size" in error["message"]


def test_a_bomb_after_good_placemarks_writes_nothing(field):
    """The ratio is crossed after two valid parcels were parsed: the import stops with the
    clear error and nothing of it is written."""
    before = Parcel.objects.count()
    good = placemark("PCH-0701", -74.97) + placemark("PCH-0702", -74.96)
    outcome = run(field, "parcels", kmz_expanding_to(30, good), "p.kmz", commit=True)
    assert not outcome.committed
    [error] = outcome.plan.errors
    assert "doc.kml" in error.message and "times its packed size" in error.message
    assert Parcel.objects.count() == before


def test_the_same_parcels_without_the_padding_import(field):
    """Control for the test above: the two placemarks themselves are fine."""
    good = placemark("PCH-0701", -74.97) + placemark("PCH-0702", -74.96)
    outcome = run(field, "parcels", kmz_expanding_to(0, good), "p.kmz", commit=True)
    assert outcome.committed, outcome.plan.errors
    assert Parcel.objects.filter(code__in=["PCH-0701", "PCH-0702"]).count() == 2


def test_the_ratio_limit_is_a_setting(field, settings):
    settings.IMPORT_ZIP_MAX_RATIO = 2000  # blanks pack ~1,000:1: now within the limit
    outcome = run(field, "parcels", kmz_expanding_to(30), "p.kmz")
    assert not any("packed size" in e.message for e in outcome.plan.errors)


def test_an_odk_csv_bomb_is_refused_naming_the_member(field):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("arboles.csv", "SubmissionDate,KEY,arbol\n" + " " * (30 * 1024 * 1024))
    outcome = run(field, "measurements", buffer.getvalue(), "odk.zip")
    [error] = outcome.plan.errors
    assert "arboles.csv" in error.message and "times its packed size" in error.message


def test_an_archive_with_too_many_members_is_refused(field, settings):
    settings.IMPORT_ZIP_MAX_MEMBERS = 10
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("doc.kml", '<kml xmlns="http://www.opengis.net/kml/2.2"></kml>')
        for number in range(20):
            archive.writestr(f"files/{number}.png", b"x")
    outcome = run(field, "parcels", buffer.getvalue(), "p.kmz")
    [error] = outcome.plan.errors
    assert "21" in error.message and "10" in error.message


def test_an_odk_zip_is_not_unpacked_in_the_web_request(field):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("arboles.csv", "SubmissionDate,KEY,arbol\n" + "x,uuid:1,1\n" * 400_000)
    tracemalloc.start()
    try:
        job = create_import_job(
            user=field.personas.staff_a1,
            kind="measurements",
            project=field.personas.project_a,
            cooperative=None,
            upload=SimpleUploadedFile("odk.zip", buffer.getvalue()),
            requested_format="odk-zip",
        )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert job.run_async  # counted (and checked) by the worker, not here
    assert peak < 3 * 1024 * 1024, peak


@pytest.mark.parametrize(
    "name", ["+SUM(1,1)", "@cmd", '=HYPERLINK("http://x","y")', "-2+3", "\tx", "\rx"]
)
def test_formulas_are_neutralised(name):
    from pichanaki.exports import neutralize

    assert neutralize(name) == "'" + name


def test_plain_values_are_left_alone():
    from pichanaki.exports import neutralize

    assert [neutralize(v) for v in ("Ana", "", 12, None)] == ["Ana", "", 12, None]


def test_the_admin_csv_export_neutralises_formula_names(field, client):
    field.juana.first_name = '=HYPERLINK("http://evil","clic")'
    field.juana.last_name = "+SUM(1,1)"
    field.juana.save()
    client.login(username="staff_a1", password=PASSWORD)
    client.cookies["django_language"] = "en"
    response = client.post(
        "/admin/smallholders/smallholder/",
        {"action": "export_csv_action", "_selected_action": [field.juana.pk]},
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert '\'=HYPERLINK("http://evil","clic")' in cells and "'+SUM(1,1)" in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)


def test_the_parcel_csv_export_neutralises_formula_names(field, client):
    field.juana.first_name = "@cmd"
    field.juana.save()
    client.login(username="staff_a1", password=PASSWORD)
    client.cookies["django_language"] = "en"
    response = client.get("/parcels/export/parcels.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    producer = rows[0].index("producer")
    assert rows[1][producer].startswith("'@cmd")
    latitude = rows[0].index("centroid latitude")
    assert rows[1][latitude].startswith("-10.")  # numbers stay numbers


DEEP = 5000  # Python's JSON decoder recurses once per level: a RecursionError, unbounded


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("hondo.geojson", b'{"type": "FeatureCollection", "features": ' + b"[" * DEEP),
        (
            "hondo.csv",
            b"parcel_code,dni,parcel_name,geometry\n"
            b'PCH-0901,40123456,Hondo,"{""type"": ' + b"[" * DEEP + b'"\n',
        ),
    ],
)
def test_json_nested_without_bound_is_an_error_of_the_file_not_a_500(field, client, name, data):
    """A GeoJSON file, or a GeoJSON boundary cell, nested thousands of levels deep: the
    preview (in the web request for a small file) names the problem; nothing is written."""
    client.login(username="staff_a1", password=PASSWORD)
    before = Parcel.objects.count()
    response = client.post(
        "/admin/import/",
        {
            "kind": "parcels",
            "project": field.personas.project_a.pk,
            "file": SimpleUploadedFile(name, data),
        },
    )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == "previewed"
    [error] = job.errors
    assert "32" in error["message"], error
    assert Parcel.objects.count() == before
