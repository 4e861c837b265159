"""Tell the field-file formats apart from their content, using the file name only to break ties."""

from __future__ import annotations

import os
import zipfile
from pathlib import PurePath, PurePosixPath

from django.utils.translation import gettext as _

from parcels.importing.readers.archives import open_zip
from parcels.importing.readers.errors import FieldFileError
from parcels.importing.readers.tabular import Source, decode_text, read_source, read_xlsx_sheets

FORMATS = ("csv", "xlsx", "geojson", "kml", "kmz", "odk-zip", "kobo-xlsx")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and other MS Office 97 files)
_HEAD = 4096
_GIS_ONLY = (".shp", ".shx", ".dbf", ".gpkg", ".gpx")


def detect_format(source: Source, filename: str = "") -> str:
    """One of :data:`FORMATS` for an uploaded file, or :class:`FieldFileError` if unsupported.

    ``source`` is bytes, a path or a binary file; ``filename`` (the upload's name) defaults to
    the path's name.
    """
    if not filename and isinstance(source, str | os.PathLike):
        filename = PurePath(source).name
    data = read_source(source)
    extension = PurePosixPath(filename.lower()).suffix
    if not data.strip():
        raise FieldFileError(_("The file is empty."))
    if data.startswith(_OLE_MAGIC):
        raise FieldFileError(_("Old .xls workbooks are not supported; save the file as .xlsx."))
    if data.startswith(_ZIP_MAGIC):
        return _zip_format(data)
    if extension in _GIS_ONLY:
        raise FieldFileError(_unsupported(filename))
    return _text_format(data, extension, filename)


def _text_format(data: bytes, extension: str, filename: str) -> str:
    head = decode_text(data[:_HEAD])[0].lstrip("\ufeff \t\r\n")
    if head.startswith("{"):
        return "geojson"
    if head.startswith("<"):
        if "<kml" in head.lower():
            return "kml"
        raise FieldFileError(_("The XML file is not KML."))
    if b"\x00" in data[:_HEAD] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FieldFileError(_unsupported(filename))
    if extension in (".geojson", ".json", ".kml"):
        message = _("The file is named %(name)s but does not hold %(kind)s.") % {
            "name": filename,
            "kind": extension.lstrip(".").upper(),
        }
        raise FieldFileError(message)
    return "csv"


def _zip_format(data: bytes) -> str:
    try:
        with open_zip(data) as archive:
            names = archive.namelist()
            if "xl/workbook.xml" in names:
                return _workbook_format(data)
            if any(name.lower().endswith(".kml") for name in names):
                return "kmz"
            if any(_is_odk_header(_first_line(archive, n)) for n in names if _is_csv(n)):
                return "odk-zip"
    except zipfile.BadZipFile:
        raise FieldFileError(_("The file is not a valid ZIP archive.")) from None
    raise FieldFileError(_("The ZIP holds no KML, XLSX or ODK Central CSV export."))


def _is_csv(name: str) -> bool:
    return name.lower().endswith(".csv") and not name.startswith("media/")


def _first_line(archive: zipfile.ZipFile, name: str) -> set[str]:
    with archive.open(name) as member:
        head = member.read(_HEAD)
    line = decode_text(head)[0].lstrip("\ufeff").splitlines()[:1]
    return {cell.strip().strip('"') for cell in line[0].split(",")} if line else set()


def _is_odk_header(columns: set[str]) -> bool:
    return {"PARENT_KEY", "KEY"} <= columns or {"SubmissionDate", "KEY"} <= columns


def _workbook_format(data: bytes) -> str:
    """``kobo-xlsx`` when a sheet carries KoboToolbox's export columns, else ``xlsx``."""
    for table in read_xlsx_sheets(data, strip_groups=False):
        columns = set(table.headers)
        if {"_uuid", "_submission_time"} <= columns or "_parent_index" in columns:
            return "kobo-xlsx"
    return "xlsx"


def _unsupported(filename: str) -> str:
    return _(
        "%(name)s is not a supported format; upload CSV, XLSX, GeoJSON, KML/KMZ or an ODK/Kobo "
        "export (GIS layers: export them as GeoJSON or KML)."
    ) % {"name": filename or _("The file")}
