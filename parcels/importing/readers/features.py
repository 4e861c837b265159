"""Parcel boundaries from GeoJSON and KML/KMZ feature files.

``row`` is the 1-based feature or Placemark number; properties are kept as given.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import xml.etree.ElementTree as ET  # noqa: S405 (no DTDs: _placemarks refuses them; expat >= 2.4)
from collections.abc import Iterator
from typing import BinaryIO

from django.utils.translation import gettext as _

from parcels.importing.readers.archives import open_member, open_zip
from parcels.importing.readers.errors import CellError, FieldFileError, RowError
from parcels.importing.readers.geometry import (
    PERU_BOUNDS,
    Bounds,
    Position,
    Shape,
    build_multipolygon,
    require_polygonal,
    shape_from_geojson,
)
from parcels.importing.readers.records import GEOMETRY_FIELD, GeoResult
from parcels.importing.readers.tabular import Source, read_source
from pichanaki.parsers import JSONTooDeep, loads_bounded

_ACCEPTED_CRS = ("CRS84", "EPSG::4326", "EPSG:4326")
_KML_CHUNK = 64 * 1024


def parse_geojson(source: Source, *, bounds: Bounds | None = PERU_BOUNDS) -> GeoResult:
    """Read a FeatureCollection, a Feature or a bare geometry (RFC 7946, WGS 84 lon/lat).

    A legacy ``crs`` member naming anything but WGS 84 rejects the file; ``row`` is the 1-based
    feature number and ``properties`` are kept as given.
    """
    try:
        document = loads_bounded(read_source(source).decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, JSONTooDeep) as exc:
        message = _("The file is not valid GeoJSON: %(detail)s") % {"detail": exc}
        raise FieldFileError(message) from None
    _check_crs(document)
    result = GeoResult("geojson")
    for number, feature in enumerate(_features(document), start=1):
        properties = feature.get("properties")
        try:
            shape = shape_from_geojson(feature.get("geometry"), GEOMETRY_FIELD, bounds=bounds)
        except CellError as exc:
            result.errors.append(exc.at(number))
            continue
        key = "" if feature.get("id") is None else str(feature["id"])
        result.add("", number, key, dict(properties) if isinstance(properties, dict) else {}, shape)
    return result


def _check_crs(document: object) -> None:
    crs = document.get("crs") if isinstance(document, dict) else None
    if crs is None:
        return
    properties = crs.get("properties") if isinstance(crs, dict) else None
    properties = properties if isinstance(properties, dict) else {}
    name = str(properties.get("name") or properties.get("code") or "")
    if not name.upper().endswith(_ACCEPTED_CRS) and name != "4326":
        message = _(
            "The file uses the coordinate system “%(crs)s”; only WGS 84 longitude/latitude "
            "(EPSG:4326) is accepted. Re-export it in EPSG:4326."
        ) % {"crs": name or crs}
        raise FieldFileError(message, [RowError(0, "crs", message)])


def _features(document: object) -> list[dict]:
    kind = document.get("type") if isinstance(document, dict) else None
    if kind == "FeatureCollection" and isinstance(document.get("features"), list):
        return [f if isinstance(f, dict) else {} for f in document["features"]]
    if kind == "Feature":
        return [document]
    if isinstance(kind, str) and "coordinates" in document:
        return [{"type": "Feature", "geometry": document, "properties": {}}]
    raise FieldFileError(_("The JSON is not a GeoJSON FeatureCollection, Feature or geometry."))


def parse_kmz(source: Source, *, bounds: Bounds | None = PERU_BOUNDS) -> GeoResult:
    """Read the main KML (``doc.kml``, else the first ``.kml``) of a KMZ archive, parsed as it
    is inflated (never whole in memory; the archive's limits apply while it streams)."""
    with open_zip(read_source(source)) as archive:
        names = [n for n in archive.namelist() if n.lower().endswith(".kml")]
        if not names:
            raise FieldFileError(_("The KMZ holds no KML document."))
        name = "doc.kml" if "doc.kml" in names else names[0]
        with open_member(archive, name) as member:
            result = parse_kml(member, bounds=bounds, sheet=name)
    result.format = "kmz"
    return result


def parse_kml(source: Source, *, bounds: Bounds | None = PERU_BOUNDS, sheet: str = "") -> GeoResult:
    """Read every Placemark: ``row`` is its 1-based number, ``key`` its ``id`` attribute.

    ``properties`` hold ``name``, ``description`` and the ExtendedData ``Data``/``SimpleData``
    values; Polygons anywhere in the Placemark (also inside MultiGeometry) form the boundary.
    The XML is parsed incrementally: each Placemark is dropped once read.
    """
    result = GeoResult("kml")
    for number, placemark in enumerate(_placemarks(source), start=1):
        try:
            shape = Shape(
                build_multipolygon(_kml_polygons(placemark), GEOMETRY_FIELD, bounds=bounds)
            )
        except CellError as exc:
            result.errors.append(exc.at(number, sheet))
            continue
        result.add(sheet, number, placemark.get("id", ""), _kml_properties(placemark), shape)
    return result


def _placemarks(source: Source) -> Iterator[ET.Element]:
    """The Placemarks of a KML document, each one complete when yielded and detached from the
    tree afterwards (so memory holds one Placemark, not the document)."""
    parser = ET.XMLPullParser(events=("start", "end"))
    stack: list[ET.Element] = []
    seen = b""
    with _binary(source) as stream:
        try:
            while chunk := stream.read(_KML_CHUNK):
                seen = seen[-16:] + chunk
                if b"<!DOCTYPE" in seen or b"<!ENTITY" in seen:
                    message = _("KML files with a DOCTYPE or entities are not accepted.")
                    raise FieldFileError(message)
                parser.feed(chunk)
                yield from _complete_placemarks(parser, stack)
            parser.close()
        except ET.ParseError as exc:
            line = exc.position[0]
            message = _("The KML is not well-formed XML (line %(line)s).") % {"line": line}
            raise FieldFileError(message) from None
    yield from _complete_placemarks(parser, stack)


def _complete_placemarks(parser: ET.XMLPullParser, stack: list[ET.Element]) -> Iterator[ET.Element]:
    for event, element in parser.read_events():
        if event == "start":
            stack.append(element)
            continue
        stack.pop()
        if element.tag.rpartition("}")[2] == "Placemark":
            yield element
            if stack:
                stack[-1].remove(element)


def _binary(source: Source) -> contextlib.AbstractContextManager[BinaryIO]:
    if isinstance(source, bytes):
        return io.BytesIO(source)
    if isinstance(source, str | os.PathLike):
        return open(source, "rb")  # noqa: SIM115 (closed by the caller's with)
    return contextlib.nullcontext(source)


def _kml_properties(placemark: ET.Element) -> dict[str, object]:
    properties: dict[str, object] = {}
    for tag in ("name", "description"):
        if (text := placemark.findtext(f"{{*}}{tag}")) is not None:
            properties[tag] = text.strip()
    for data in placemark.iterfind("{*}ExtendedData/{*}Data"):
        properties[data.get("name", "")] = (data.findtext("{*}value") or "").strip()
    for data in placemark.iterfind("{*}ExtendedData/{*}SchemaData/{*}SimpleData"):
        properties[data.get("name", "")] = (data.text or "").strip()
    return properties


def _kml_polygons(placemark: ET.Element) -> list[list[list[Position]]]:
    polygons = []
    for polygon in placemark.iterfind(".//{*}Polygon"):
        rings = [
            *polygon.iterfind("{*}outerBoundaryIs/{*}LinearRing"),
            *polygon.iterfind("{*}innerBoundaryIs/{*}LinearRing"),
        ]
        polygons.append([_kml_ring(ring) for ring in rings])
    if not polygons:
        _reject_kml_geometry(placemark)
    return polygons


def _kml_ring(ring: ET.Element) -> list[Position]:
    text = ring.findtext("{*}coordinates") or ""
    try:
        return [_kml_position(chunk) for chunk in text.split()]
    except ValueError:
        raise CellError(
            GEOMETRY_FIELD,
            _(
                "The KML coordinates are malformed; expected "
                "“longitude,latitude[,altitude]” tuples."
            ),
        ) from None


def _kml_position(chunk: str) -> Position:
    parts = chunk.split(",")
    if not 2 <= len(parts) <= 3:
        raise ValueError(chunk)
    return float(parts[0]), float(parts[1])


def _reject_kml_geometry(placemark: ET.Element) -> None:
    for tag, kind in (("LineString", "LineString"), ("Track", "LineString"), ("Point", "Point")):
        if placemark.find(f".//{{*}}{tag}") is not None:
            require_polygonal(kind, GEOMETRY_FIELD)
    raise CellError(GEOMETRY_FIELD, _("The placemark has no polygon."))
