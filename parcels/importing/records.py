"""Read an uploaded file into importer records, whatever its format.

The readers themselves live in :mod:`parcels.importing.readers`; this module picks one by format and
flattens its output: plain tables give one record per row, ODK/Kobo exports one record per row
of the deepest table that carries the importer's key columns (a repeat row inherits its parents'
values, the nearest winning), and geographic files one record per feature with the boundary
under ``geometry``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from parcels.importing.base import Record
from parcels.importing.readers.archives import unpacked_size
from parcels.importing.readers.cells import normalize_label
from parcels.importing.readers.detect import FORMATS, detect_format
from parcels.importing.readers.errors import FieldFileError, RowError
from parcels.importing.readers.geo import GEOMETRY_FIELD, GeoResult, read_parcels
from parcels.importing.readers.headers import Aliases, alias_index
from parcels.importing.readers.submissions import (
    Submission,
    SubmissionExport,
    read_kobo_xlsx,
    read_odk_zip,
)
from parcels.importing.readers.tabular import read_csv, read_xlsx

TABULAR_FORMATS = ("csv", "xlsx", "odk-zip", "kobo-xlsx")
ZIP_FORMATS = ("xlsx", "kobo-xlsx", "kmz", "odk-zip")
#: a low guess of the unpacked bytes per row (an XLSX row of 5 short cells is about 300)
ZIP_BYTES_PER_ROW = 100
GEO_FORMATS = FORMATS


@dataclass
class Records:
    """The records of a file, its format, and the rows the reader already rejected.

    ``headers`` maps canonical field names to the columns as the file names them.
    """

    format: str
    records: list[Record] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)


def resolve_format(data: bytes, filename: str, requested: str = "") -> str:
    """The requested format if given and known, else the one detected from the content."""
    if not requested:
        return detect_format(data, filename)
    if requested not in FORMATS:
        message = _("Unknown format “%(format)s”; use one of: %(formats)s.") % {
            "format": requested,
            "formats": ", ".join(FORMATS),
        }
        raise FieldFileError(message)
    return requested


def read_records(
    data: bytes,
    filename: str,
    *,
    aliases: Aliases,
    required: Collection[str],
    geographic: bool,
    requested_format: str = "",
) -> Records:
    """The records of an uploaded file for an importer with these columns.

    Raises FieldFileError when the file as a whole cannot be used (format, header).
    """
    fmt = resolve_format(data, filename, requested_format)
    allowed = GEO_FORMATS if geographic else TABULAR_FORMATS
    if fmt not in allowed:
        message = _("%(format)s files cannot be imported as this kind of data; use: %(allowed)s.")
        raise FieldFileError(message % {"format": fmt, "allowed": ", ".join(allowed)})
    if geographic:
        return _geo_records(data, _filename_for(fmt, filename), aliases)
    if fmt in ("odk-zip", "kobo-xlsx"):
        read = read_odk_zip if fmt == "odk-zip" else read_kobo_xlsx
        return _export_records(read(data, aliases=aliases), fmt, required)
    read_table = read_csv if fmt == "csv" else read_xlsx
    table = read_table(data, aliases=aliases, required=required)
    records = [Record(row.number, row.values, row.sheet) for row in table.rows]
    return Records(fmt, records, list(table.errors), table.header_names())


def _export_records(export: SubmissionExport, fmt: str, required: Collection[str]) -> Records:
    rows = [(row, _inherited(row)) for row in export.rows()]
    complete = [(row, values) for row, values in rows if set(required) <= values.keys()]
    if not complete:
        names = ", ".join(required)
        message = _("No table of the export has the columns %(names)s.") % {"names": names}
        raise FieldFileError(message, [RowError(1, names, message)])
    deepest = max(_depth(row) for row, _values in complete)
    records = [
        Record(row.row, values, row.sheet) for row, values in complete if _depth(row) == deepest
    ]
    return Records(fmt, records, list(export.errors))


def _inherited(row: Submission) -> dict[str, object]:
    values: dict[str, object] = {}
    for ancestor in row.lineage():
        values.update(ancestor.values)
    return values


def _depth(row: Submission) -> int:
    return sum(1 for _ancestor in row.lineage())


def _geo_records(data: bytes, filename: str, aliases: Aliases) -> Records:
    result: GeoResult = read_parcels(data, filename, aliases=aliases)
    index = alias_index(aliases)
    records = [
        Record(
            record.row,
            {**_canonical(record.properties, index), GEOMETRY_FIELD: record.geometry},
            record.sheet,
        )
        for record in result.records
    ]
    return Records(result.format, records, list(result.errors), result.headers)


def _filename_for(fmt: str, filename: str) -> str:
    """A name whose extension agrees with a requested format (detection breaks ties by name)."""
    extension = {"odk-zip": "zip", "kobo-xlsx": "xlsx"}.get(fmt, fmt)
    stem = filename.rsplit(".", 1)[0] if "." in filename else (filename or "upload")
    return f"{stem}.{extension}"


def _canonical(properties: dict[str, object], index: dict[str, str]) -> dict[str, object]:
    """GeoJSON/KML property names mapped to canonical field names (others kept as given)."""
    return {index.get(normalize_label(str(k)), k): v for k, v in properties.items()}


def estimate_rows(data: bytes, fmt: str) -> int:
    """A cheap guess of the number of data rows, to choose between inline and Celery.

    Runs in the web request, so nothing is unpacked: a ZIP-based file (XLSX, KMZ, ODK export)
    is judged by its directory's uncompressed size, at most :data:`ZIP_BYTES_PER_ROW` bytes a
    row; the job counts its real rows.
    """
    if fmt in ZIP_FORMATS:
        return unpacked_size(data) // ZIP_BYTES_PER_ROW
    if fmt == "geojson":
        return data.count(b'"Feature"')
    if fmt in ("kml", "kmz"):
        return max(data.count(b"<Placemark"), 1)
    return data.count(b"\n")
