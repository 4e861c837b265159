"""Every importer and format: preview writes nothing, commit is all or nothing, errors say where."""

import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from openpyxl import Workbook

from parcels.importing.services import import_context, import_file
from parcels.models import MonitoringPlot, Parcel, Planting, TreeMeasurement
from smallholders.models import CooperativeMembership, Smallholder

pytestmark = pytest.mark.django_db

TREES = (
    "parcela;parcela_muestreo;fecha;arbol;especie;dap;altura;estado\n"
    "PCH-0001;P1;20/06/2024;1;Inga edulis;12,5;8,2;vivo\n"
    "PCH-0001;P1;20/06/2024;2;Cedrela odorata;13;;muerto\n"
)


def run(field, kind, data, name, commit=False, user=None, **kw):
    context = import_context(
        user=user or field.personas.staff_a1, project=field.personas.project_a, **kw
    )
    return import_file(kind=kind, data=data, filename=name, context=context, commit=commit)


def xlsx(rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_it_previews_latin1_semicolon_decimal_comma_without_writing(field):
    data = TREES.replace("Cedrela odorata", "Cedrela odorata").encode("latin-1")
    outcome = run(field, "measurements", data, "arboles.csv")
    assert outcome.format == "csv" and not outcome.plan.errors
    assert outcome.plan.to_create == 2
    assert TreeMeasurement.objects.count() == 0
    assert [item["label"] for item in outcome.plan.sample()] == ["P1 · 1/1", "P1 · 2/1"]


def test_it_commits_measurements_with_history(field):
    outcome = run(field, "measurements", TREES.encode(), "a.csv", commit=True)
    assert outcome.committed
    stored = TreeMeasurement.objects.filter(plot=field.plot).order_by("tree_tag")
    assert [(m.tree_tag, m.dbh_cm, m.height_m, m.status) for m in stored] == [
        ("1", Decimal("12.5"), Decimal("8.2"), "alive"),
        ("2", Decimal("13.0"), None, "dead"),
    ]
    history = TreeMeasurement.history.filter(history_type="+")
    assert sorted(h.id for h in history) == sorted(m.pk for m in stored)
    assert {h.history_change_reason for h in history} == {"Data import"}
    assert {h.history_user_id for h in history} == {field.personas.staff_a1.pk}
    again = run(field, "measurements", TREES.replace("12,5", "14").encode(), "a.csv", commit=True)
    assert (again.plan.to_update, again.plan.to_create) == (2, 0)
    assert stored.get(tree_tag="1").dbh_cm == Decimal("14.0")
    assert TreeMeasurement.history.filter(history_type="~").count() == 2


def test_it_writes_nothing_when_the_last_row_fails(field):
    data = (TREES + "PCH-0001;P1;20/06/2024;3;Inga edulis;999;;vivo\n").encode()
    outcome = run(field, "measurements", data, "a.csv", commit=True)
    assert not outcome.committed
    [error] = outcome.plan.errors
    assert (error.row, error.field) == (4, "dbh_cm")
    assert TreeMeasurement.objects.count() == 0


def test_it_suggests_species_for_typos(field):
    outcome = run(
        field, "measurements", TREES.replace("Inga edulis", "Inga edulsi").encode(), "a.csv"
    )
    [error] = outcome.plan.errors
    assert (error.row, error.field) == (2, "species") and "Inga edulis" in error.message


def test_it_creates_plots_from_coordinates(field):
    data = (
        b"parcel_code,plot_code,visit_date,tree_no,species,dbh_cm,plot_lat,plot_lon,"
        b"plot_radius_m\nPCH-0001,P9,2024-07-01,1,Inga edulis,10.5,-10.899,-74.899,5.64\n"
        b"PCH-0001,P9,2024-07-01,2,Inga edulis,11,,,\n"
    )
    outcome = run(field, "measurements", data, "a.csv", commit=True)
    assert outcome.committed, outcome.plan.errors
    plot = MonitoringPlot.objects.get(code="P9")
    assert plot.trees.count() == 2 and plot.area_m2 > 99


def test_it_imports_smallholders_from_xlsx_and_shows_updates(field):
    data = xlsx(
        [
            ["DNI", "Nombres", "Apellidos", "Sexo", "Cooperativa"],
            ["40123456", "Juana", "Quispe Rojas", "mujer", "a1"],
            ["41234567", "Luis", "Huamán", "M", "a1"],
        ]
    )
    preview = run(field, "smallholders", data, "socios.xlsx")
    assert (preview.plan.to_create, preview.plan.to_update) == (1, 1)
    assert run(field, "smallholders", data, "socios.xlsx", commit=True).committed
    assert Smallholder.objects.get(dni="40123456").last_name == "Quispe Rojas"
    assert CooperativeMembership.objects.filter(smallholder__dni="41234567").exists()


def test_it_rejects_bad_dni_naming_row_and_field(field):
    data = b"dni;nombres;apellidos\n1234;Ana;Paz\n"
    outcome = run(field, "smallholders", data, "s.csv", commit=True)
    assert [(e.row, e.field) for e in outcome.plan.errors] == [(2, "dni")]
    assert not Smallholder.objects.filter(first_name="Ana").exists()


def test_staff_cannot_reference_another_cooperative(field):
    data = b"dni;nombres;apellidos;cooperativa\n41234567;Ana;Paz;b1\n"
    outcome = run(field, "smallholders", data, "s.csv")
    assert [(e.row, e.field) for e in outcome.plan.errors] == [(2, "cooperative")]
    plantings = b"parcela;especie;fecha;cantidad\nPCH-B001;Inga edulis;01/02/2011;10\n"
    with pytest.raises(Http404):  # staff of cooperative B1 cannot import into project A
        run(field, "plantings", plantings, "p.csv", user=field.personas.staff_b1)
    with pytest.raises(PermissionDenied):
        run(field, "plantings", plantings, "p.csv", user=field.personas.verifier)


def test_it_imports_plantings(field):
    data = "parcela;especie;fecha;cantidad;disposicion\nPCH-0001;cedro;01/02/2012;150;lindero\n"
    outcome = run(field, "plantings", data.encode(), "p.csv", commit=True)
    assert outcome.committed, outcome.plan.errors
    assert Planting.objects.get(species=field.cedro).arrangement == "boundary"


def geojson_polygon(lon, lat, side=0.002):
    ring = [[lon, lat], [lon + side, lat], [lon + side, lat + side], [lon, lat + side], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_it_imports_parcels_from_geojson_and_rejects_overlaps(field):
    features = [
        {
            "type": "Feature",
            "properties": {
                "ProductionPlace": "PCH-0100",
                "dni": "40123456",
                "uso_anterior": "pasto",
            },
            "geometry": geojson_polygon(-74.95, -10.95),
        },
        {
            "type": "Feature",
            "properties": {
                "ProductionPlace": "PCH-0101",
                "dni": "40123456",
                "uso_anterior": "purma",
            },
            "geometry": geojson_polygon(-74.9505, -10.9505),
        },
    ]
    data = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    outcome = run(field, "parcels", data, "p.geojson", commit=True)
    [error] = outcome.plan.errors
    assert (error.row, error.field) == (2, "boundary") and "PCH-0100" in error.message
    assert not Parcel.objects.filter(code="PCH-0100").exists()
    outcome = run(
        field,
        "parcels",
        json.dumps({"type": "FeatureCollection", "features": features[:1]}).encode(),
        "p.geojson",
        commit=True,
    )
    assert outcome.committed and Parcel.objects.get(code="PCH-0100").area_ha > 0


def test_it_imports_parcels_from_kml_and_wkt_csv(field):
    kml = (
        b"<?xml version='1.0'?><kml xmlns='http://www.opengis.net/kml/2.2'><Document>"
        b"<Placemark><name>PCH-0200</name><ExtendedData><Data name='dni'><value>40123456"
        b"</value></Data><Data name='uso_anterior'><value>pasto</value></Data></ExtendedData>"
        b"<Polygon><outerBoundaryIs><LinearRing><coordinates>-74.97,-10.97 -74.968,-10.97 "
        b"-74.968,-10.968 -74.97,-10.97</coordinates></LinearRing></outerBoundaryIs></Polygon>"
        b"</Placemark></Document></kml>"
    )
    assert run(field, "parcels", kml, "p.kml", commit=True).committed
    wkt = (
        "codigo_parcela;dni;uso_anterior;geometria_wkt\nPCH-0300;40123456;cafe;"
        '"POLYGON((-74.99 -10.99, -74.988 -10.99, -74.988 -10.988, -74.99 -10.99))"\n'
    )
    outcome = run(field, "parcels", wkt.encode(), "p.csv", commit=True)
    assert outcome.committed, outcome.plan.errors
    assert Parcel.objects.filter(code__in=["PCH-0200", "PCH-0300"]).count() == 2


def test_it_joins_odk_repeat_groups(field):
    root = (
        "SubmissionDate,parcel_code,plot_code,visit_date,meta-instanceID,KEY\n"
        "2024-06-20T10:00:00.000Z,PCH-0001,P1,2024-06-20,uuid:a,uuid:a\n"
    )
    trees = (
        "tree_no,species,dbh_cm,PARENT_KEY,KEY\n1,Inga edulis,10.1,uuid:a,uuid:a/tree[1]\n"
        "2,Inga edulis,12.3,uuid:a,uuid:a/tree[2]\n"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("monitoreo.csv", root)
        archive.writestr("monitoreo-tree.csv", trees)
    outcome = run(field, "measurements", buffer.getvalue(), "monitoreo.zip", commit=True)
    assert outcome.format == "odk-zip" and outcome.committed, outcome.plan.errors
    assert field.plot.trees.count() == 2


def test_it_joins_kobo_repeat_sheets(field):
    book = Workbook()
    root = book.active
    root.title = "Monitoreo"
    root.append(["parcel_code", "plot_code", "visit_date", "_uuid", "_submission_time", "_index"])
    root.append(["PCH-0001", "P1", "2024-06-20", "u-1", "2024-06-21T10:00:00", 1])
    tree = book.create_sheet("tree")
    tree.append(
        ["tree_no", "species", "dbh_cm", "_parent_table_name", "_parent_index", "_submission__uuid"]
    )
    tree.append([1, "Inga edulis", 10.5, "Monitoreo", 1, "u-1"])
    tree.append([2, "Cedrela odorata", 20, "Monitoreo", 1, "u-1"])
    buffer = io.BytesIO()
    book.save(buffer)
    outcome = run(field, "measurements", buffer.getvalue(), "kobo.xlsx", commit=True)
    assert outcome.format == "kobo-xlsx" and outcome.committed, outcome.plan.errors
    assert field.plot.trees.count() == 2


def test_it_names_the_row_without_land_use_unless_a_default_is_given(field):
    wkt = (
        "codigo_parcela;dni;uso_anterior;geometria_wkt\nPCH-0500;40123456;;"
        '"POLYGON((-74.92 -10.92, -74.918 -10.92, -74.918 -10.918, -74.92 -10.92))"\n'
        "PCH-0501;40123456;cafe;"
        '"POLYGON((-74.91 -10.91, -74.908 -10.91, -74.908 -10.908, -74.91 -10.91))"\n'
    )
    outcome = run(field, "parcels", wkt.encode(), "p.csv", commit=True)
    assert [(e.row, e.field) for e in outcome.plan.errors] == [(2, "land_use_before")]
    assert "--land-use" in outcome.plan.errors[0].message
    outcome = run(field, "parcels", wkt.encode(), "p.csv", commit=True, land_use_before="pasture")
    assert outcome.committed, outcome.plan.errors
    uses = dict(
        Parcel.objects.filter(code__startswith="PCH-05").values_list("code", "land_use_before")
    )
    assert uses == {"PCH-0500": "pasture", "PCH-0501": "coffee"}
