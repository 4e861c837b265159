"""Read parcel boundaries from GeoJSON, KML/KMZ, tables with a WKT or geoshape column, and
ODK Central / KoboToolbox exports.

Every reader returns a :class:`GeoResult`: one :class:`GeoRecord` per usable boundary (a checked
``MultiPolygon`` in SRID 4326, Polygons promoted) and one :class:`RowError` per rejected one.
Checks and messages come from :mod:`pichanaki.fieldfiles.geometry`; nothing is repaired.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET  # noqa: S405 (no DTDs: _kml_root refuses them; expat >= 2.4)
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from django.contrib.gis.geos import MultiPolygon
from django.utils.translation import gettext as _

from pichanaki.fieldfiles.cells import is_blank, normalize_label
from pichanaki.fieldfiles.detect import detect_format
from pichanaki.fieldfiles.errors import CellError, FieldFileError, RowError
from pichanaki.fieldfiles.geometry import (
    PERU_BOUNDS,
    Bounds,
    Position,
    Shape,
    build_multipolygon,
    is_closed_odk_value,
    parse_odk_positions,
    parse_shape_cell,
    require_polygonal,
    shape_from_geojson,
)
from pichanaki.fieldfiles.submissions import (
    Submission,
    SubmissionExport,
    read_kobo_xlsx,
    read_odk_zip,
)
from pichanaki.fieldfiles.tabular import (
    Aliases,
    Source,
    Table,
    alias_index,
    read_source,
    read_table,
)

GEOMETRY_FIELD = "geometry"
GEOMETRY_ALIASES = (
    "wkt", "geometry_wkt", "geom", "the_geom", "geometria", "geometria_wkt", "polygon",
    "poligono", "shape", "geoshape", "forma", "boundary", "limite", "perimetro",
)
_ACCEPTED_CRS = ("CRS84", "EPSG::4326", "EPSG:4326")


@dataclass(frozen=True)
class GeoRecord:
    """One parcel boundary and the attributes that came with it.

    ``sheet``/``row`` locate it (file in a ZIP or sheet; line, row, feature or placemark number).
    ``key`` is the source's own identifier when it has one: GeoJSON feature ``id``, KML Placemark
    ``id``, ODK ``KEY``, Kobo ``_uuid``[+repeat path]; ``""`` otherwise. ``accuracies`` are the
    per-vertex GPS accuracies (metres) of an ODK/Kobo geoshape.
    """

    sheet: str
    row: int
    key: str
    properties: dict[str, object]
    geometry: MultiPolygon
    accuracies: tuple[float | None, ...] = ()


@dataclass
class GeoResult:
    """The boundaries read from one file, the rejected ones, and the detected format."""

    format: str
    records: list[GeoRecord] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def add(self, sheet: str, row: int, key: str, properties: dict[str, object],
            shape: Shape) -> None:
        """Append a record for a checked shape."""
        self.records.append(GeoRecord(sheet, row, key, properties, shape.geometry,
                                      shape.accuracies))


def read_parcels(
    source: Source,
    filename: str = "",
    *,
    aliases: Aliases | None = None,
    geometry_field: str = GEOMETRY_FIELD,
    bounds: Bounds | None = PERU_BOUNDS,
) -> GeoResult:
    """Detect the format of an uploaded file and read its parcel boundaries.

    ``aliases`` map canonical attribute names to accepted spellings of headers, GeoJSON property
    names and KML data names, so ``properties`` use the same keys whatever the format (unmatched
    names are kept as they are). The boundary column of a table or export is ``geometry_field``
    or one of :data:`GEOMETRY_ALIASES`, or, failing that, a column holding ODK geoshapes.
    """
    data = read_source(source)
    kind = detect_format(data, filename)
    if kind in ("geojson", "kml", "kmz"):
        parse = {"geojson": parse_geojson, "kml": parse_kml, "kmz": parse_kmz}[kind]
        return _rename_properties(parse(data, bounds=bounds), aliases)
    merged = with_geometry_aliases(aliases, geometry_field)
    if kind in ("odk-zip", "kobo-xlsx"):
        read = read_odk_zip if kind == "odk-zip" else read_kobo_xlsx
        return parcels_from_submissions(read(data, aliases=merged), shape_field=geometry_field,
                                        bounds=bounds, kind=kind)
    table = read_table(data, filename, aliases=merged)
    return parcels_from_table(table, geometry_field=geometry_field, bounds=bounds, kind=kind)


def _rename_properties(result: GeoResult, aliases: Aliases | None) -> GeoResult:
    index = alias_index(aliases)
    for number, record in enumerate(result.records):
        result.records[number] = replace(record, properties=_canonical_keys(record.properties,
                                                                             index))
    return result


def _canonical_keys(properties: dict[str, object], index: dict[str, str]) -> dict[str, object]:
    """Rename properties to their canonical names; a property already named so beats an alias,
    and a name that cannot be renamed without a clash is kept."""
    def is_canonical(name: str) -> bool:
        return normalize_label(index.get(normalize_label(name), "")) == normalize_label(name)

    renamed: dict[str, object] = {}
    for name in sorted(properties, key=lambda name: not is_canonical(name)):
        key = index.get(normalize_label(name), name)
        key = base = name if key in renamed else key
        copies = 1
        while key in renamed:  # "Parcel_Code" and "parcel_code" in the same feature
            copies += 1
            key = f"{base} ({copies})"
        renamed[key] = properties[name]
    return renamed


def with_geometry_aliases(aliases: Aliases | None, geometry_field: str = GEOMETRY_FIELD
                          ) -> dict[str, tuple[str, ...]]:
    """``aliases`` plus :data:`GEOMETRY_ALIASES` as spellings of ``geometry_field``."""
    merged = {name: tuple(spellings) for name, spellings in (aliases or {}).items()}
    merged[geometry_field] = (*merged.get(geometry_field, ()), *GEOMETRY_ALIASES)
    return merged


# --- GeoJSON -------------------------------------------------------------------------------


def parse_geojson(source: Source, *, bounds: Bounds | None = PERU_BOUNDS) -> GeoResult:
    """Read a FeatureCollection, a Feature or a bare geometry (RFC 7946, WGS 84 lon/lat).

    A legacy ``crs`` member naming anything but WGS 84 rejects the file; ``row`` is the 1-based
    feature number and ``properties`` are kept as given.
    """
    try:
        document = json.loads(read_source(source).decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        message = _("The file is not valid GeoJSON: %(detail)s") % {"detail": exc}
        raise FieldFileError(message) from None
    _check_crs(document)
    result = GeoResult("geojson")
    for number, feature in enumerate(_features(document), start=1):
        properties = feature.get("properties") or {}
        try:
            shape = shape_from_geojson(feature.get("geometry"), GEOMETRY_FIELD, bounds=bounds)
        except CellError as exc:
            result.errors.append(exc.at(number))
            continue
        key = "" if feature.get("id") is None else str(feature["id"])
        result.add("", number, key, dict(properties), shape)
    return result


def _check_crs(document: object) -> None:
    crs = document.get("crs") if isinstance(document, dict) else None
    if crs is None:
        return
    properties = crs.get("properties") or {} if isinstance(crs, dict) else {}
    name = str(properties.get("name") or properties.get("code") or "")
    if not name.upper().endswith(_ACCEPTED_CRS) and name != "4326":
        message = _("The file uses the coordinate system “%(crs)s”; only WGS 84 longitude/latitude "
                    "(EPSG:4326) is accepted. Re-export it in EPSG:4326.") % {"crs": name or crs}
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


# --- KML / KMZ -----------------------------------------------------------------------------


def parse_kmz(source: Source, *, bounds: Bounds | None = PERU_BOUNDS) -> GeoResult:
    """Read the main KML (``doc.kml``, else the first ``.kml``) of a KMZ archive."""
    try:
        with zipfile.ZipFile(io.BytesIO(read_source(source))) as archive:
            names = [n for n in archive.namelist() if n.lower().endswith(".kml")]
            if not names:
                raise FieldFileError(_("The KMZ holds no KML document."))
            name = "doc.kml" if "doc.kml" in names else names[0]
            data = archive.read(name)
    except zipfile.BadZipFile:
        raise FieldFileError(_("The file is not a valid ZIP archive.")) from None
    result = parse_kml(data, bounds=bounds, sheet=name)
    result.format = "kmz"
    return result


def parse_kml(source: Source, *, bounds: Bounds | None = PERU_BOUNDS, sheet: str = ""
              ) -> GeoResult:
    """Read every Placemark: ``row`` is its 1-based number, ``key`` its ``id`` attribute.

    ``properties`` hold ``name``, ``description`` and the ExtendedData ``Data``/``SimpleData``
    values; Polygons anywhere in the Placemark (also inside MultiGeometry) form the boundary.
    """
    result = GeoResult("kml")
    placemarks = _kml_root(read_source(source)).iterfind(".//{*}Placemark")
    for number, placemark in enumerate(placemarks, start=1):
        try:
            shape = Shape(build_multipolygon(_kml_polygons(placemark), GEOMETRY_FIELD,
                                             bounds=bounds))
        except CellError as exc:
            result.errors.append(exc.at(number, sheet))
            continue
        result.add(sheet, number, placemark.get("id", ""), _kml_properties(placemark), shape)
    return result


def _kml_root(data: bytes) -> ET.Element:
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise FieldFileError(_("KML files with a DOCTYPE or entities are not accepted."))
    try:
        return ET.fromstring(data)  # noqa: S314 (DTDs refused above)
    except ET.ParseError as exc:
        message = _("The KML is not well-formed XML (line %(line)s).") % {"line": exc.position[0]}
        raise FieldFileError(message) from None


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
        rings = [*polygon.iterfind("{*}outerBoundaryIs/{*}LinearRing"),
                 *polygon.iterfind("{*}innerBoundaryIs/{*}LinearRing")]
        polygons.append([_kml_ring(ring) for ring in rings])
    if not polygons:
        _reject_kml_geometry(placemark)
    return polygons


def _kml_ring(ring: ET.Element) -> list[Position]:
    text = ring.findtext("{*}coordinates") or ""
    try:
        return [_kml_position(chunk) for chunk in text.split()]
    except ValueError:
        raise CellError(GEOMETRY_FIELD, _("The KML coordinates are malformed; expected "
                                          "“longitude,latitude[,altitude]” tuples.")) from None


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


# --- Tables and ODK / Kobo exports ---------------------------------------------------------


def parcels_from_table(
    table: Table,
    *,
    geometry_field: str = GEOMETRY_FIELD,
    bounds: Bounds | None = PERU_BOUNDS,
    kind: str = "csv",
) -> GeoResult:
    """Boundaries from a table with a WKT, GeoJSON-geometry or ODK geoshape column.

    The column is ``geometry_field`` or, failing that, the first one holding ODK geoshapes. The
    other columns become ``properties``; ``key`` is the row's ODK ``KEY`` or Kobo ``_uuid`` when
    the table is such an export.
    """
    rows = list(table.rows)
    column = _pick_column(table.keys, [row.values for row in rows], geometry_field)
    if column is None:
        raise _no_boundary_column(geometry_field, table.header_row, table.sheet)
    items = [(row.sheet, row.number, _row_key(row.values), row.values) for row in rows]
    result = _read_shapes(items, column, bounds, kind)
    result.errors[:0] = table.errors
    return result


def _row_key(values: dict[str, object]) -> str:
    return next((str(values[k]).strip() for k in ("KEY", "_uuid") if not is_blank(values.get(k))),
                "")


def parcels_from_submissions(
    export: SubmissionExport,
    *,
    shape_field: str = GEOMETRY_FIELD,
    bounds: Bounds | None = PERU_BOUNDS,
    kind: str = "",
) -> GeoResult:
    """Boundaries from the table (submissions or one repeat) that has ``shape_field``, or else
    the first geoshape column found in the data.

    ``properties`` of a repeat row include its ancestors' values, the nearest winning.
    """
    tables: dict[str, list[Submission]] = {}
    for row in export.rows():
        tables.setdefault(row.sheet, []).append(row)
    sheet, column = _pick_table(tables, shape_field)
    items = [(r.sheet, r.row, r.key, _inherited(r)) for r in tables[sheet]] if sheet else []
    result = _read_shapes(items, column, bounds, kind or f"{export.platform}-export")
    result.errors[:0] = export.errors
    return result


def _pick_table(tables: dict[str, list[Submission]], field: str) -> tuple[str, str]:
    """The sheet and column of the boundaries: ``field`` where present, else a geoshape column."""
    if not tables:
        return "", field
    columns = {sheet: list(dict.fromkeys(k for r in rows for k in r.values))
               for sheet, rows in tables.items()}
    for sheet, names in columns.items():
        if field in names:
            return sheet, field
    found = [(sheet, _pick_column(columns[sheet], [r.values for r in rows], field))
             for sheet, rows in tables.items()]
    closed = [(sheet, column) for sheet, column in found
              if column and _has_closed(r.values.get(column) for r in tables[sheet])]
    for sheet, column in closed + found:
        if column:
            return sheet, column
    raise _no_boundary_column(field, 1, next(iter(tables)))


def _inherited(row: Submission) -> dict[str, object]:
    values: dict[str, object] = {}
    for ancestor in row.lineage():
        values.update(ancestor.values)
    return values


def _read_shapes(items: Sequence[tuple[str, int, str, dict[str, object]]], column: str,
                 bounds: Bounds | None, kind: str) -> GeoResult:
    values = [item[3].get(column) for item in items]
    traces = _is_trace_column(values)
    result = GeoResult(kind)
    for (sheet, number, key, row_values), value in zip(items, values, strict=True):
        properties = {k: v for k, v in row_values.items() if k != column}
        try:
            shape = _shape_or_trace(value, column, traces, bounds)
        except CellError as exc:
            result.errors.append(exc.at(number, sheet))
            continue
        result.add(sheet, number, key, properties, shape)
    return result


def _shape_or_trace(value: object, field: str, traces: bool, bounds: Bounds | None) -> Shape:
    if traces and not is_blank(value):
        raise CellError(field, _(
            "The column holds open lines (an ODK geotrace): the last point never repeats the "
            "first. A parcel boundary must be captured as a geoshape."))
    return parse_shape_cell(value, field, bounds=bounds)


def _odk_values(values: Iterable[object]) -> list[str]:
    """The values that parse as ODK geo strings of several points."""
    found = []
    for value in values:
        if isinstance(value, str) and ";" in value and value.strip()[:1] not in "{(":
            try:
                if len(parse_odk_positions(value, "")) > 1:
                    found.append(value)
            except CellError:
                continue
    return found


def _has_closed(values: Iterable[object]) -> bool:
    return any(is_closed_odk_value(value) for value in _odk_values(values))


def _is_trace_column(values: Sequence[object]) -> bool:
    """ODK closes every geoshape, so a column in which no value is closed holds geotraces.

    An open value among closed ones is a geoshape that lost its closing point; it gets closed.
    """
    return bool(_odk_values(values)) and not _has_closed(values)


def _pick_column(columns: Sequence[str], rows: Sequence[dict[str, object]], field: str
                 ) -> str | None:
    """``field`` if it is a column, else the first column of ODK geo values (closed first)."""
    if field in columns:
        return field
    candidates = [c for c in columns if _odk_values(row.get(c) for row in rows)]
    closed = [c for c in candidates if _has_closed(row.get(c) for row in rows)]
    return (closed or candidates or [None])[0]


def _no_boundary_column(field: str, header_row: int, sheet: str) -> FieldFileError:
    accepted = ", ".join((field, *GEOMETRY_ALIASES))
    message = _("No boundary column found; name it one of: %(names)s.") % {"names": accepted}
    return FieldFileError(message, [RowError(header_row, field, message, sheet)])
