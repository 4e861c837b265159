"""Downloadable import templates: the importer's columns with an example row, CSV or XLSX.

Spanish templates use Spanish headers, English ones the canonical names; the importer accepts
both. Spanish CSVs are written the way Spanish-locale Excel reads them: ``;`` and UTF-8 BOM.
"""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook

from parcels.importing.labels import SPANISH_HEADERS
from parcels.importing.services import IMPORTERS


def template_rows(kind: str, language: str) -> list[list[str]]:
    """Header and example row of `kind`'s template in `language` ("es" or "en")."""
    example = IMPORTERS[kind].example
    headers = [SPANISH_HEADERS[k] if language == "es" else k for k in example]
    values = list(example.values())
    if language != "es":
        values = [v.replace(",", ".") if _looks_numeric(v) else v for v in values]
    return [headers, values]


def _looks_numeric(value: str) -> bool:
    return value.replace(",", "").replace("-", "").isdigit()


def template_csv(kind: str, language: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if language == "es" else ",", lineterminator="\r\n")
    writer.writerows(template_rows(kind, language))
    return buffer.getvalue().encode("utf-8-sig")


def template_xlsx(kind: str, language: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "datos" if language == "es" else "data"
    for row in template_rows(kind, language):
        sheet.append(row)
    columns = workbook.create_sheet("columnas" if language == "es" else "columns")
    columns.append(["español", "english", "obligatoria / required"])
    for name in IMPORTERS[kind].example:
        required = "sí / yes" if name in IMPORTERS[kind].required else ""
        columns.append([SPANISH_HEADERS[name], name, required])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
