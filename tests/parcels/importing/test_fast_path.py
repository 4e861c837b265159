"""The columnar measurement import: same rules and errors as the per-row checks, all or nothing,
and a CSV reader that keeps exactly the rows ``read_csv`` keeps."""

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from parcels import selectors, validation
from parcels.importing.base import Record, validation_errors
from parcels.importing.columns import read_columns
from parcels.importing.measurements import MeasurementImporter
from parcels.importing.readers.tabular import read_csv
from parcels.importing.services import import_context, import_file
from parcels.models import MonitoringPlot, TreeMeasurement

pytestmark = pytest.mark.django_db

HEADER = "parcela;parcela_muestreo;fecha;arbol;tallo;especie;dap;altura;estado;notas\n"
GOOD = "PCH-0001;P1;20/06/2024;{tag};1;Inga edulis;12,5;8,2;vivo;\n"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "fieldfiles"


def run(field, data, name="a.csv", commit=False):
    context = import_context(user=field.personas.staff_a1, project=field.personas.project_a)
    return import_file(
        kind="measurements", data=data, filename=name, context=context, commit=commit
    )


def rule_message(check):
    """The message a validation function gives, rendered as the importer renders it."""
    with pytest.raises(ValidationError) as raised:
        check()
    return validation_errors(raised.value, Record(0, {}))[0].message


def triples(errors):
    return [(e.row, e.field, e.message) for e in errors]


def as_xlsx(text):
    book = Workbook()
    for line in text.splitlines():
        book.active.append(line.split(";"))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


BAD = (
    HEADER
    + GOOD.format(tag=1)
    + "PCH-0001;P1;20/06/2024;2;1;Inga edulis;999;;vivo;\n"  # row 3: DBH out of range
    + "PCH-0001;P1;20/06/2024;3;1;Inga edulsi;10;;vivo;\n"  # row 4: species typo
    + "PCH-9999;P1;20/06/2024;4;1;Inga edulis;10;;vivo;\n"  # row 5: unknown parcel
    + "PCH-0001;P7;20/06/2024;5;1;Inga edulis;10;;vivo;\n"  # row 6: unknown plot visit
    + GOOD.format(tag=1)  # row 7: same visit, tag and stem as row 2
    + "PCH-0001;P1;20/06/2024;8;1;Inga edulsi;10;1,2;vivo;\n"  # row 8: typo again, too short
    + "PCH-0001;P1;20/06/2024;9;0;Inga edulis;10;;vivo;\n"  # row 9: stem 0
)


def test_it_gives_the_same_errors_in_preview_commit_and_xlsx_and_writes_nothing(field):
    plots = MonitoringPlot.objects.count()
    preview = run(field, BAD.encode())
    commit = run(field, BAD.encode(), commit=True)
    xlsx = run(field, as_xlsx(BAD), "a.xlsx")
    assert not commit.committed
    assert triples(preview.plan.errors) == triples(commit.plan.errors)
    assert triples(preview.plan.errors) == triples(xlsx.plan.errors)
    typo = rule_message(lambda: selectors.species_index().resolve("Inga edulsi"))
    assert "Inga edulis" in typo
    assert [(row, name) for row, name, _message in triples(preview.plan.errors)] == [
        (3, "dbh_cm"),
        (4, "species"),
        (5, "parcel_code"),
        (6, "plot_code"),
        (7, "tree_tag"),
        (8, "species"),
        (8, "height_m"),
        (9, "stem"),
    ]
    messages = dict(((row, name), message) for row, name, message in triples(preview.plan.errors))
    assert messages[3, "dbh_cm"] == rule_message(lambda: validation.validate_dbh(Decimal("999.0")))
    assert messages[4, "species"] == messages[8, "species"] == typo
    assert messages[8, "height_m"] == rule_message(
        lambda: validation.validate_height(Decimal("1.2"), dbh_cm=Decimal("10.0"))
    )
    assert "PCH-9999" in messages[5, "parcel_code"] and "2" in messages[7, "tree_tag"]
    assert (preview.plan.to_create, commit.plan.to_create) == (1, 1)  # row 2 only
    assert TreeMeasurement.objects.count() == 0 and TreeMeasurement.history.count() == 0
    assert MonitoringPlot.objects.count() == plots


def test_a_bad_last_row_of_a_long_file_writes_nothing(field):
    rows = [
        f"PCH-0001;P{n // 50};20/06/2024;{n % 50};1;Inga edulis;12,5;;vivo;;-10,899;-74,899;11,28\n"
        for n in range(500)
    ]
    header = HEADER.rstrip("\n") + ";latitud;longitud;radio\n"
    last = "PCH-0001;P0;20/06/2024;999;1;Inga edulis;301;;vivo;;;;\n"
    outcome = run(field, (header + "".join(rows) + last).encode(), commit=True)
    assert triples(outcome.plan.errors) == [
        (502, "dbh_cm", rule_message(lambda: validation.validate_dbh(Decimal("301.0"))))
    ]
    assert not outcome.committed
    assert TreeMeasurement.objects.count() == 0
    assert not MonitoringPlot.objects.filter(code="P3").exists()
    outcome = run(field, (header + "".join(rows)).encode(), commit=True)
    assert outcome.committed and TreeMeasurement.objects.count() == 500
    assert MonitoringPlot.objects.filter(code__in=[f"P{n}" for n in range(10)]).count() == 10
    assert MonitoringPlot.history.filter(history_type="+", code="P3").count() == 1


def test_it_stores_notes_with_tabs_backslashes_and_line_breaks(field):
    notes = 'tronco\tbifurcado \\ "doble"\nrevisar'
    quoted = notes.replace('"', '""')
    data = HEADER + f'PCH-0001;P1;20/06/2024;1;1;Inga edulis;12,5;;vivo;"{quoted}"\n'
    outcome = run(field, data.encode(), commit=True)
    assert outcome.committed, outcome.plan.errors
    assert TreeMeasurement.objects.get().notes == notes
    assert TreeMeasurement.history.get().notes == notes


CSV_CASES = {
    "title row, blank rows, short row": (
        "Mediciones 2024;;\n\nparcela;arbol;dap\nPCH-1;1;10\n;;\n  ; \nPCH-1;2\n"
    ),
    "quoted value over two lines": 'parcela,arbol,notas\nPCH-1,1,"dos\nlineas"\nPCH-1,2,x\n',
    "cells beyond the header": "parcela;arbol;dap\nPCH-1;1;10;extra\nPCH-1;2;11;;\nPCH-1;3;12\n",
    "Kobo HXL row": "parcela,arbol\n#loc,#tree\nPCH-1,1\n",
    "header only": "parcela;arbol;dap\n",
}


def _same_rows(data: bytes) -> None:
    aliases = {
        "parcel_code": ("parcela",),
        "tree_tag": ("arbol",),
        "dbh_cm": ("dap",),
        "notes": ("notas",),
    }
    table = read_csv(data, aliases=aliases)
    expected = [(row.number, {k: row.values.get(k) for k in aliases}) for row in table.rows]
    columns = read_columns(data, "a.csv", aliases=aliases, required=())
    got = [
        (r.row, {k: r.values.get(k) for k in aliases})
        for r in (columns.record(i) for i in range(len(columns)))
    ]
    assert got == expected
    assert columns.errors == table.errors


@pytest.mark.parametrize("case", CSV_CASES)
def test_the_column_reader_keeps_the_rows_read_csv_keeps(case):
    _same_rows(CSV_CASES[case].encode())


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.csv")), ids=lambda p: p.name)
def test_the_column_reader_agrees_with_read_csv_on_fixture_files(path):
    data = path.read_bytes()
    keys = [key for key in read_csv(data).keys if key]
    aliases = {key: () for key in keys}
    table = read_csv(data, aliases=aliases)
    expected = [(row.number, row.values) for row in table.rows]
    columns = read_columns(data, path.name, aliases=aliases, required=())
    got = [
        (record.row, {k: v for k, v in record.values.items() if v is not None})
        for record in (columns.record(i) for i in range(len(columns)))
    ]
    assert got == [
        (n, {k: v for k, v in values.items() if v is not None}) for n, values in expected
    ]


def test_the_importer_reads_csv_as_text_columns():
    columns = read_columns(
        HEADER.encode() + GOOD.format(tag=1).encode(),
        "a.csv",
        aliases=MeasurementImporter.aliases,
        required=MeasurementImporter.required,
    )
    assert columns.text_only and list(columns.rows) == [2]
    assert columns.column("species") == ("Inga edulis",)
