"""Boundary checks and the ODK / WKT / GeoJSON-geometry cell parsers."""

import pytest
from django.contrib.gis.geos import MultiPolygon, Point

from parcels.importing.readers.errors import CellError
from parcels.importing.readers.geometry import (
    PERU_BOUNDS,
    build_multipolygon,
    is_closed_odk_value,
    parse_odk_geopoint,
    parse_odk_geoshape,
    parse_odk_positions,
    parse_shape_cell,
    shape_from_geojson,
    shape_from_wkt,
)

SELF_INTERSECTION = (
    "The boundary is not valid: the edges cross each other (self-intersection) at longitude "
    "-74.879000, latitude -10.931000."
)

SQUARE = [
    (-74.8750, -10.9400),
    (-74.8740, -10.9400),
    (-74.8740, -10.9390),
    (-74.8750, -10.9390),
    (-74.8750, -10.9400),
]
BOWTIE = [
    (-74.880, -10.930),
    (-74.878, -10.932),
    (-74.878, -10.930),
    (-74.880, -10.932),
    (-74.880, -10.930),
]
# ODK writes "lat lon alt acc"; Central keeps the trailing ";".
ODK_SHAPE = (
    "-10.927811 -74.871234 812.0 4.5;-10.928140 -74.870512 813.1 3.9;"
    "-10.929002 -74.870901 815.2 4.1;-10.928600 -74.871650 814.0 0.0;"
    "-10.927811 -74.871234 812.0 4.5;"
)


def message_of(call, *args, **kwargs) -> str:  # noqa: ANN001
    with pytest.raises(CellError) as caught:
        call(*args, **kwargs)
    assert caught.value.field == "geometry"
    return caught.value.message


def test_it_builds_a_multipolygon_in_wgs84() -> None:
    geometry = build_multipolygon([[SQUARE]], "geometry")
    assert isinstance(geometry, MultiPolygon)
    assert (geometry.srid, len(geometry), geometry.valid) == (4326, 1, True)
    assert geometry[0].exterior_ring.coords[0] == (-74.875, -10.94)


def test_it_reports_the_geos_reason_and_location_of_a_self_intersection() -> None:
    message = message_of(build_multipolygon, [[BOWTIE]], "geometry")
    assert message == SELF_INTERSECTION


def test_it_rejects_overlapping_parts_of_a_multipolygon() -> None:
    shifted = [(x + 0.0005, y) for x, y in SQUARE]
    assert "(self-intersection)" in message_of(
        build_multipolygon, [[SQUARE], [shifted]], "geometry"
    )


@pytest.mark.parametrize(
    ("polygons", "expected"),
    [
        ([], "The boundary is empty."),
        ([[]], "The boundary is empty."),
        ([[SQUARE[:3]]], "Ring 1 has 3 positions; a boundary needs at least 4"),
        (
            [[SQUARE[:4]]],
            "Ring 1 is not closed: the first position [-74.875 -10.94] differs "
            "from the last [-74.875 -10.939].",
        ),
        ([[SQUARE, SQUARE[:4]]], "Ring 2 is not closed"),
        ([[[(x, y - 100) for x, y in SQUARE]]], "is outside the longitude/latitude range"),
        (
            [
                [
                    [
                        (479000.0, 8790000.0),
                        (479100.0, 8790000.0),
                        (479100.0, 8790100.0),
                        (479000.0, 8790000.0),
                    ]
                ]
            ],
            "looks like projected coordinates",
        ),
        ([[[(y, x) for x, y in SQUARE]]], "would be inside with latitude and longitude swapped"),
        ([[[(x + 15, y) for x, y in SQUARE]]], "Position [-59.875 -10.94] is outside Peru."),
        ([[[(float("nan"), -10.9)] * 4]], "A coordinate is not a number."),
    ],
)
def test_it_explains_each_rejected_boundary(polygons: list, expected: str) -> None:
    assert expected in message_of(build_multipolygon, polygons, "geometry")


def test_it_skips_the_region_check_without_bounds() -> None:
    elsewhere = [(x + 15, y) for x, y in SQUARE]
    assert build_multipolygon([[elsewhere]], "geometry", bounds=None).valid
    assert PERU_BOUNDS == (-82.0, -18.5, -68.0, 0.5)


def test_it_parses_an_odk_geoshape_in_lat_lon_order_keeping_accuracies() -> None:
    shape = parse_odk_geoshape(ODK_SHAPE, "geometry")
    assert shape.geometry[0].exterior_ring.coords[1] == (-74.870512, -10.92814)
    assert shape.accuracies == (4.5, 3.9, 4.1, 0.0, 4.5)


def test_it_accepts_odk_separator_variants_and_short_points() -> None:
    spaced = "-10.9400 -74.8750; -10.9400 -74.8740 ;-10.9390 -74.8740 0;-10.9400 -74.8750 0 0; "
    shape = parse_odk_geoshape(spaced, "geometry")
    assert shape.accuracies == (None, None, None, 0.0)
    assert len(parse_odk_positions("13.42 -25.43", "g")) == 1


def test_it_closes_an_open_odk_geoshape() -> None:
    open_ring = "-10.9400 -74.8750 0 3;-10.9400 -74.8740 0 3;-10.9390 -74.8740 0 3"
    shape = parse_odk_geoshape(open_ring, "geometry")
    assert shape.geometry[0].exterior_ring.coords[-1] == (-74.875, -10.94)
    assert shape.accuracies == (3.0, 3.0, 3.0, 3.0)


def test_it_rejects_odk_shapes_with_too_few_points_or_bad_numbers() -> None:
    assert "Ring 1 has 3 positions" in message_of(
        parse_odk_geoshape, "-10.94 -74.875 0 0;-10.94 -74.874 0 0;", "geometry"
    )
    assert message_of(parse_odk_geoshape, "", "geometry") == "The boundary is empty."
    assert message_of(parse_odk_geoshape, "-10.94 -74.875;-10.94 oeste", "geometry") == (
        "Point 2 “-10.94 oeste” is not “latitude longitude [altitude [accuracy]]”."
    )
    assert "swapped" in message_of(
        parse_odk_geoshape,
        "-74.875 -10.94;-74.874 -10.94;-74.874 -10.939;-74.875 -10.94",
        "geometry",
    )


def test_it_tells_geoshapes_from_geotraces() -> None:
    assert is_closed_odk_value(ODK_SHAPE)
    assert not is_closed_odk_value("-10.94 -74.875 0 0;-10.94 -74.874 0 0;-10.939 -74.874 0 0")
    assert not is_closed_odk_value("-10.94 -74.875 0 0")
    assert not is_closed_odk_value("no es geo")


def test_it_parses_an_odk_geopoint() -> None:
    point, position = parse_odk_geopoint("-10.9283004 -74.8709512 812.4 4.2", "center")
    assert isinstance(point, Point) and point.srid == 4326
    assert (point.x, point.y, position.altitude, position.accuracy) == (
        -74.8709512,
        -10.9283004,
        812.4,
        4.2,
    )
    with pytest.raises(CellError, match="Expected one point, found 2"):
        parse_odk_geopoint("-10.92 -74.87;-10.93 -74.87", "center")
    with pytest.raises(CellError, match="swapped"):
        parse_odk_geopoint("-74.87 -10.92", "center")


def test_it_parses_wkt_and_ewkt_and_promotes_polygons() -> None:
    wkt = "POLYGON((" + ", ".join(f"{x} {y}" for x, y in SQUARE) + "))"
    assert shape_from_wkt(wkt, "geometry").geometry.geom_type == "MultiPolygon"
    assert shape_from_wkt(
        "SRID=4326;"
        + wkt.replace("POLYGON", "POLYGON Z").replace(",", " 800,").replace("))", " 800))"),
        "geometry",
    ).geometry.valid
    multi = "MULTIPOLYGON(((" + ", ".join(f"{x} {y}" for x, y in SQUARE) + ")))"
    assert len(shape_from_wkt(multi.lower(), "geometry").geometry) == 1


@pytest.mark.parametrize(
    ("wkt", "expected"),
    [
        ("POLYGON((-74.87 -10.93, -74.86", "not valid WKT"),
        ("POLYGON EMPTY", "The boundary is empty."),
        (
            "POLYGON((-74.875 -10.94, -74.874 -10.94, -74.874 -10.939, -74.875 -10.939))",
            "Ring 1 is not closed",
        ),
        (
            "LINESTRING(-74.875 -10.94, -74.874 -10.94)",
            "is a line (LineString), e.g. an ODK geotrace",
        ),
        ("POINT(-74.875 -10.94)", "is a point (Point)"),
        (
            "GEOMETRYCOLLECTION(POINT(-74.875 -10.94))",
            "Geometry type GeometryCollection is not supported",
        ),
        (
            "SRID=32718;POLYGON((479000 8790000, 479100 8790000, 479100 8790100, 479000 8790000))",
            "in SRID 32718",
        ),
    ],
)
def test_it_explains_rejected_wkt(wkt: str, expected: str) -> None:
    assert expected in message_of(shape_from_wkt, wkt, "geometry")


def test_it_parses_geojson_geometries() -> None:
    polygon = {"type": "Polygon", "coordinates": [[list(p) for p in SQUARE]]}
    assert shape_from_geojson(polygon, "geometry").geometry.num_geom == 1
    multi = {"type": "MultiPolygon", "coordinates": [[[[*p, 800.0] for p in SQUARE]]]}
    assert shape_from_geojson(multi, "geometry").geometry.valid
    assert message_of(shape_from_geojson, None, "geometry") == "The feature has no geometry."
    assert (
        message_of(
            shape_from_geojson, {"type": "Polygon", "coordinates": [[[True, 1]]]}, "geometry"
        )
        == "The Polygon coordinates are malformed."
    )
    assert (
        message_of(shape_from_geojson, {"type": "MultiPolygon", "coordinates": 5}, "geometry")
        == "The MultiPolygon coordinates are malformed."
    )


def test_it_reads_any_boundary_notation_from_a_cell() -> None:
    wkt = "POLYGON((" + ", ".join(f"{x} {y}" for x, y in SQUARE) + "))"
    geojson = (
        '{"type": "Polygon", "coordinates": [['
        + ", ".join(f"[{x}, {y}]" for x, y in SQUARE)
        + "]]}"
    )
    shapes = [parse_shape_cell(value, "geometry") for value in (wkt, geojson, ODK_SHAPE)]
    assert shapes[0].geometry.equals(shapes[1].geometry)
    assert shapes[2].accuracies[0] == 4.5
    assert message_of(parse_shape_cell, None, "geometry") == "The boundary is empty."
    assert message_of(parse_shape_cell, "{not json", "geometry") == "The text is not valid GeoJSON."
