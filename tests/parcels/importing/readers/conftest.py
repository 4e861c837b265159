"""Fixture files for the field-file parsers; binary ones (ZIP, KMZ, XLSX) are built here from the
committed text sources in tests/fixtures/fieldfiles/, so every byte under test is reviewable."""

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from django.utils import translation
from openpyxl import Workbook

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "fieldfiles"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Assert on the English messages whatever the default language and catalogue hold."""
    with translation.override("en"):
        yield


def fixture_path(name: str) -> Path:
    return FIXTURES / name


def zip_directory(directory: Path) -> bytes:
    """Zip a fixture directory the way ODK Central names its export members."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(directory).as_posix())
    return buffer.getvalue()


def workbook_bytes(sheets: dict[str, list[list[object]]]) -> bytes:
    """An .xlsx with one sheet per entry, rows as given (openpyxl types dates and numbers)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="session")
def odk_tree_plot_zip() -> bytes:
    return zip_directory(FIXTURES / "odk_tree_plot")


@pytest.fixture(scope="session")
def odk_parcels_zip() -> bytes:
    return zip_directory(FIXTURES / "odk_parcels")


@pytest.fixture(scope="session")
def odk_geotrace_zip() -> bytes:
    return zip_directory(FIXTURES / "odk_geotrace")


@pytest.fixture(scope="session")
def kobo_xlsx() -> bytes:
    sheets = json.loads((FIXTURES / "kobo_parcelas.json").read_text(encoding="utf-8"))
    return workbook_bytes({name: rows for name, rows in sheets.items() if not name.startswith("_")})


@pytest.fixture(scope="session")
def kmz() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(FIXTURES / "parcelas.kml", "doc.kml")
        archive.writestr("files/leyenda.png", b"\x89PNG\r\n")
    return buffer.getvalue()


@pytest.fixture(scope="session")
def trees_xlsx() -> bytes:
    """Tree measurements as a cooperative types them into Excel: real numbers and date cells,
    a title row above the header, Spanish headers, a blank row, an unnamed trailing column."""
    return workbook_bytes(
        {
            "Mediciones": [
                ["Monitoreo 2026 - parcela PCH-0147"],
                [],
                [
                    "Código árbol",
                    "Especie",
                    "DAP (cm)",
                    "Altura (m)",
                    "Estado",
                    "Fecha de medición",
                    "¿Vivo?",
                    None,
                ],
                ["A-001", "Inga spp.", 12.5, 8.2, "vivo", date(2026, 1, 15), True, None],
                ["A-002", "Cedro", 23, 14.5, "muerto en pie", date(2026, 1, 15), "no", None],
                [None, None, None, None, None, None, None, None],
                ["A-003", "Pajuro", "7,8", "5,1", "Vivo", "16/01/2026", "sí", None],
                [40123456, "Palta", 9.0, 4.0, "talado", 46038, 0, "nota suelta"],
            ],
            "Notas": [["texto"], ["Hoja auxiliar sin datos de árboles"]],
        }
    )


@pytest.fixture(scope="session")
def parcels_wkt_xlsx() -> bytes:
    """The WKT CSV fixture re-typed into a workbook, as GIS staff export it from QGIS."""
    text = (FIXTURES / "parcelas_wkt.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    return workbook_bytes({"parcelas": rows})
