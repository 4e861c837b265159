"""Read parcel boundaries from GeoJSON, KML/KMZ, tables with a WKT or geoshape column, and
ODK Central / KoboToolbox exports.

Every reader returns a :class:`GeoResult`: one :class:`GeoRecord` per usable boundary (a checked
``MultiPolygon`` in SRID 4326, Polygons promoted) and one :class:`RowError` per rejected one.
Checks and messages come from :mod:`parcels.importing.readers.geometry`; nothing is repaired. The
GeoJSON and KML readers live in :mod:`parcels.importing.readers.features` and are re-exported here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from django.utils.translation import gettext as _

from parcels.importing.readers.cells import is_blank, normalize_label
from parcels.importing.readers.detect import detect_format
from parcels.importing.readers.errors import CellError, FieldFileError, RowError
from parcels.importing.readers.features import parse_geojson, parse_kml, parse_kmz
from parcels.importing.readers.geometry import (
    PERU_BOUNDS,
    Bounds,
    Shape,
    is_closed_odk_value,
    parse_odk_positions,
    parse_shape_cell,
)
from parcels.importing.readers.headers import Aliases, alias_index
from parcels.importing.readers.records import GEOMETRY_FIELD, GeoRecord, GeoResult
from parcels.importing.readers.submissions import (
    Submission,
    SubmissionExport,
    read_kobo_xlsx,
    read_odk_zip,
)
from parcels.importing.readers.tabular import Source, Table, read_source, read_table

__all__ = [
    "GEOMETRY_ALIASES",
    "GEOMETRY_FIELD",
    "GeoRecord",
    "GeoResult",
    "parcels_from_submissions",
    "parcels_from_table",
    "parse_geojson",
    "parse_kml",
    "parse_kmz",
    "read_parcels",
    "with_geometry_aliases",
]

GEOMETRY_ALIASES = (
    "wkt",
    "geometry_wkt",
    "geom",
    "the_geom",
    "geometria",
    "geometria_wkt",
    "polygon",
    "poligono",
    "shape",
    "geoshape",
    "forma",
    "boundary",
    "limite",
    "perimetro",
)


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
        return parcels_from_submissions(
            read(data, aliases=merged), shape_field=geometry_field, bounds=bounds, kind=kind
        )
    table = read_table(data, filename, aliases=merged)
    return parcels_from_table(table, geometry_field=geometry_field, bounds=bounds, kind=kind)


def _rename_properties(result: GeoResult, aliases: Aliases | None) -> GeoResult:
    index = alias_index(aliases)
    for record in result.records:
        for name in record.properties:
            result.headers.setdefault(index.get(normalize_label(name), name), name)
    for number, record in enumerate(result.records):
        result.records[number] = replace(
            record, properties=_canonical_keys(record.properties, index)
        )
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


def with_geometry_aliases(
    aliases: Aliases | None, geometry_field: str = GEOMETRY_FIELD
) -> dict[str, tuple[str, ...]]:
    """``aliases`` plus :data:`GEOMETRY_ALIASES` as spellings of ``geometry_field``."""
    merged = {name: tuple(spellings) for name, spellings in (aliases or {}).items()}
    merged[geometry_field] = (*merged.get(geometry_field, ()), *GEOMETRY_ALIASES)
    return merged


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
    result.headers = table.header_names()
    return result


def _row_key(values: dict[str, object]) -> str:
    return next(
        (str(values[k]).strip() for k in ("KEY", "_uuid") if not is_blank(values.get(k))), ""
    )


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
    columns = {
        sheet: list(dict.fromkeys(k for r in rows for k in r.values))
        for sheet, rows in tables.items()
    }
    for sheet, names in columns.items():
        if field in names:
            return sheet, field
    found = [
        (sheet, _pick_column(columns[sheet], [r.values for r in rows], field))
        for sheet, rows in tables.items()
    ]
    closed = [
        (sheet, column)
        for sheet, column in found
        if column and _has_closed(r.values.get(column) for r in tables[sheet])
    ]
    for sheet, column in closed + found:
        if column:
            return sheet, column
    raise _no_boundary_column(field, 1, next(iter(tables)))


def _inherited(row: Submission) -> dict[str, object]:
    values: dict[str, object] = {}
    for ancestor in row.lineage():
        values.update(ancestor.values)
    return values


def _read_shapes(
    items: Sequence[tuple[str, int, str, dict[str, object]]],
    column: str,
    bounds: Bounds | None,
    kind: str,
) -> GeoResult:
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
        raise CellError(
            field,
            _(
                "The column holds open lines (an ODK geotrace): the last point never repeats the "
                "first. A parcel boundary must be captured as a geoshape."
            ),
        )
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


def _pick_column(
    columns: Sequence[str], rows: Sequence[dict[str, object]], field: str
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
