"""Parcel boundaries from GeoJSON, KML/KMZ and WKT tables, with every rejected record located."""

import io
import json
import zipfile

import pytest

from parcels.importing.readers.errors import FieldFileError
from parcels.importing.readers.geo import (
    GeoResult,
    parcels_from_table,
    parse_geojson,
    parse_kml,
    parse_kmz,
    read_parcels,
    with_geometry_aliases,
)
from parcels.importing.readers.tabular import read_csv
from tests.parcels.importing.readers.conftest import fixture_path

SELF_INTERSECTION = (
    "The boundary is not valid: the edges cross each other (self-intersection) at longitude "
    "-74.879000, latitude -10.931000."
)

PARCEL_ALIASES = {
    "parcel_code": ["codigo", "código de parcela"],
    "area_ha_declared": ["area_declarada_ha", "área (ha)"],
}


def located(result: GeoResult) -> list[tuple[str, int, str]]:
    return [(error.sheet, error.row, error.field) for error in result.errors]


def test_it_reads_an_eudr_feature_collection() -> None:
    result = parse_geojson(fixture_path("parcelas_eudr.geojson"))
    assert (result.format, result.errors) == ("geojson", [])
    first, multi, holed = result.records
    assert (first.row, first.key, first.sheet) == (1, "PCH-0147", "")
    assert first.properties == {
        "ProducerName": "Juana Quispe",
        "ProducerCountry": "PE",
        "ProductionPlace": "Parcela La Esperanza",
        "Area": 0.91,
        "parcel_code": "PCH-0147",
        "farmer_code": "SOC-0321",
    }
    assert first.geometry.geom_type == "MultiPolygon" and first.geometry.srid == 4326
    assert (multi.key, len(multi.geometry), multi.geometry.hasz) == ("", 2, False)
    assert len(holed.geometry[0]) == 2  # exterior ring plus the excluded remnant forest


def test_it_rejects_each_broken_feature_with_its_number_and_reason() -> None:
    result = parse_geojson(fixture_path("parcelas_invalidas.geojson"))
    assert [record.properties["parcel_code"] for record in result.records] == ["PCH-0201"]
    messages = {error.row: error.message for error in result.errors}
    assert located(result) == [("", n, "geometry") for n in range(2, 12)]
    assert messages[2] == SELF_INTERSECTION
    assert messages[3].startswith("Ring 1 is not closed")
    assert "swapped" in messages[4]
    assert "projected coordinates" in messages[5]
    assert "line (LineString), e.g. an ODK geotrace" in messages[6]
    assert "point (Point)" in messages[7]
    assert messages[8] == "The feature has no geometry."
    assert messages[9].startswith("Ring 1 has 3 positions")
    assert messages[10] == "The Polygon coordinates are malformed."
    assert messages[11].endswith("is outside Peru.")


def test_it_rejects_a_projected_crs() -> None:
    with pytest.raises(FieldFileError) as caught:
        parse_geojson(fixture_path("parcelas_utm18s.geojson"))
    assert "urn:ogc:def:crs:EPSG::32718" in caught.value.message
    assert [(e.row, e.field) for e in caught.value.errors] == [(0, "crs")]


@pytest.mark.parametrize(
    "crs", ["urn:ogc:def:crs:OGC:1.3:CRS84", "EPSG:4326", "urn:ogc:def:crs:EPSG::4326"]
)
def test_it_accepts_wgs84_crs_names(crs: str) -> None:
    document = json.loads(fixture_path("parcelas_eudr.geojson").read_text())
    document["crs"] = {"type": "name", "properties": {"name": crs}}
    assert len(parse_geojson(json.dumps(document).encode()).records) == 3


def test_it_reads_a_single_feature_or_bare_geometry() -> None:
    document = json.loads(fixture_path("parcelas_eudr.geojson").read_text())
    feature = document["features"][0]
    assert parse_geojson(json.dumps(feature).encode()).records[0].key == "PCH-0147"
    bare = parse_geojson(json.dumps(feature["geometry"]).encode()).records[0]
    assert (bare.row, bare.properties) == (1, {})


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"{not json", "not valid GeoJSON"),
        (b'{"type": "Topology"}', "not a GeoJSON FeatureCollection, Feature or geometry"),
        (b"\xff\xfe{", "not valid GeoJSON"),
    ],
)
def test_it_rejects_files_that_are_not_geojson(data: bytes, expected: str) -> None:
    with pytest.raises(FieldFileError, match=expected):
        parse_geojson(data)


def test_it_reads_kml_placemarks_with_their_data() -> None:
    result = parse_kml(fixture_path("parcelas.kml"))
    assert [r.row for r in result.records] == [1, 2, 3]
    esperanza, san_jose, mirador = result.records
    assert esperanza.key == "PCH-0147"
    assert esperanza.properties == {
        "name": "Parcela La Esperanza",
        "description": "Café bajo sombra de pacae, socia Juana Quispe",
        "farmer_code": "SOC-0321",
        "cultivo": "café",
    }
    assert san_jose.properties == {
        "name": "Parcela San José",
        "parcel_code": "PCH-0148",
        "area_ha": "2.4",
    }
    assert len(san_jose.geometry) == 2  # MultiGeometry polygons; its Point is ignored
    assert len(mirador.geometry[0]) == 2  # inner boundary kept as a hole
    assert esperanza.geometry.equals(
        parse_geojson(fixture_path("parcelas_eudr.geojson")).records[0].geometry
    )


def test_it_rejects_each_broken_placemark_with_its_number_and_reason() -> None:
    result = parse_kml(fixture_path("parcelas.kml"))
    messages = {error.row: error.message for error in result.errors}
    assert located(result) == [("", n, "geometry") for n in range(4, 10)]
    assert messages[4] == SELF_INTERSECTION
    assert "line (LineString)" in messages[5]
    assert "line (LineString)" in messages[6]  # gx:Track
    assert messages[7].startswith("The KML coordinates are malformed")
    assert messages[8].startswith("Ring 1 is not closed")
    assert messages[9] == "The placemark has no polygon."


def test_it_reads_the_kml_inside_a_kmz(kmz: bytes) -> None:
    result = parse_kmz(kmz)
    assert (result.format, len(result.records)) == ("kmz", 3)
    assert {error.sheet for error in result.errors} == {"doc.kml"}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"<kml><Document><Placemark></Document></kml>", "not well-formed XML"),
        (b'<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY a "aaaa">]><kml>&a;</kml>', "DOCTYPE"),
    ],
)
def test_it_rejects_unusable_kml(data: bytes, expected: str) -> None:
    with pytest.raises(FieldFileError, match=expected):
        parse_kml(data)


def test_it_rejects_a_kmz_without_kml() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("leeme.txt", "vacío")
    with pytest.raises(FieldFileError, match="no KML document"):
        parse_kmz(buffer.getvalue())
    with pytest.raises(FieldFileError, match="not a valid ZIP"):
        parse_kmz(b"PK\x03\x04 roto")


def test_it_reads_a_wkt_csv_with_its_attributes() -> None:
    table = read_csv(
        fixture_path("parcelas_wkt.csv"), aliases=with_geometry_aliases(PARCEL_ALIASES)
    )
    result = parcels_from_table(table)
    assert [r.properties["parcel_code"] for r in result.records] == ["PCH-0147", "PCH-0148"]
    first = result.records[0]
    assert (first.row, first.key, first.properties["farmer_name"]) == (2, "", "Juana Quispe")
    assert first.properties["area_ha_declared"] == "0,91" and "geometry" not in first.properties
    messages = {error.row: error.message for error in result.errors}
    assert located(result) == [("", n, "geometry") for n in range(4, 9)]
    assert SELF_INTERSECTION in messages[4]
    assert messages[5].startswith("Ring 1 is not closed")
    assert "swapped" in messages[6]
    assert "line (LineString)" in messages[7]
    assert messages[8] == "The boundary is empty."


def test_it_reads_the_same_parcels_from_xlsx(parcels_wkt_xlsx: bytes) -> None:
    result = read_parcels(parcels_wkt_xlsx, "parcelas.xlsx", aliases=PARCEL_ALIASES)
    assert result.format == "xlsx"
    assert [r.properties["parcel_code"] for r in result.records] == ["PCH-0147", "PCH-0148"]
    assert located(result) == [("parcelas", n, "geometry") for n in range(4, 9)]


def test_it_requires_a_boundary_column() -> None:
    with pytest.raises(FieldFileError) as caught:
        read_parcels(b"parcel_code;area\nPCH-1;2,0\n", "parcelas.csv")
    assert [(e.row, e.field) for e in caught.value.errors] == [(1, "geometry")]
    assert "wkt, geometry_wkt" in caught.value.message


@pytest.mark.parametrize(
    "name", ["parcelas_eudr.geojson", "parcelas.kml", "parcelas_wkt.csv", "kobo_parcelas.csv"]
)
def test_it_dispatches_each_format_to_its_reader(name: str) -> None:
    result = read_parcels(fixture_path(name), name)
    assert result.records
    assert result.records[0].geometry.equals_exact(
        read_parcels(fixture_path("parcelas_eudr.geojson")).records[0].geometry, 1e-9
    )


def test_it_keys_kobo_csv_parcels_by_uuid() -> None:
    result = read_parcels(fixture_path("kobo_parcelas.csv"), "kobo.csv")
    assert result.records[0].key == "5b0f6a8e-3c1d-4e2f-9a7b-6c5d4e3f2a01"
    assert result.records[0].properties["parcel_code"] == "PCH-0147"
    assert result.records[0].accuracies == (4.5, 3.9, 4.1, 0.0, 4.5)
    assert [(e.row, e.field) for e in result.errors] == [(4, "geometry")]


def test_it_keys_geojson_and_kml_properties_by_the_callers_aliases(kmz: bytes) -> None:
    aliases = {
        "parcel_code": ["ProductionPlace", "codigo"],
        "farmer_name": ["ProducerName"],
        "farmer_code": ["Código de socio"],
    }
    geojson = read_parcels(fixture_path("parcelas_eudr.geojson"), aliases=aliases).records[0]
    assert geojson.properties == {
        "farmer_name": "Juana Quispe",
        "ProducerCountry": "PE",
        "ProductionPlace": "Parcela La Esperanza",
        "Area": 0.91,
        "parcel_code": "PCH-0147",
        "farmer_code": "SOC-0321",
    }
    second = read_parcels(fixture_path("parcelas_eudr.geojson"), aliases=aliases).records[1]
    assert second.properties["parcel_code"] == "PCH-0148"
    assert second.properties["ProductionPlace"] == "Parcela San José"
    kml = read_parcels(kmz, "parcelas.kmz", aliases=aliases).records[1]
    assert kml.properties == {
        "name": "Parcela San José",
        "parcel_code": "PCH-0148",
        "area_ha": "2.4",
    }


def test_it_keeps_both_properties_when_two_spell_the_same_field() -> None:
    document = json.loads(fixture_path("parcelas_eudr.geojson").read_text())
    document["features"][0]["properties"] = {"Parcel_Code": "A", "parcel_code": "B"}
    record = read_parcels(
        json.dumps(document).encode(), "p.geojson", aliases={"parcel_code": []}
    ).records[0]
    assert record.properties == {"parcel_code": "A", "parcel_code (2)": "B"}
