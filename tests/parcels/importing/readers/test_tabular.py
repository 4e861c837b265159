"""CSV/XLSX reading: encodings, delimiters, headers, line numbers, and row-level errors."""

import codecs
from datetime import date, datetime
from decimal import Decimal

import pytest

from parcels.importing.readers.cells import (
    choice_lookup,
    parse_bool,
    parse_choice,
    parse_date,
    parse_decimal,
    parse_text,
)
from parcels.importing.readers.errors import CellError, FieldFileError, RowError
from parcels.importing.readers.headers import group_separator, strip_group_paths
from parcels.importing.readers.tabular import (
    Row,
    read_csv,
    read_table,
    read_text_columns,
    read_xlsx,
    read_xlsx_sheets,
    sniff_delimiter,
)
from tests.parcels.importing.readers.conftest import fixture_path

TREE_ALIASES = {
    "tree_code": ["Código árbol", "codigo", "tag"],
    "species": ["Especie"],
    "dbh_cm": ["DAP (cm)", "dap", "DBH (cm)"],
    "height_m": ["Altura (m)", "altura"],
    "status": ["Estado"],
    "measured_on": ["Fecha de medición", "fecha", "date"],
    "alive": ["¿Vivo?", "vivo"],
}
STATUS = choice_lookup(
    [("alive", "Alive"), ("dead_standing", "Dead, standing"), ("cut", "Cut")],
    aliases={"alive": ["vivo"], "dead_standing": ["muerto en pie"], "cut": ["talado"]},
)


def parse_tree(row: Row) -> tuple[dict[str, object], list[RowError]]:
    """What the import pipeline will do with each row: typed values, or located errors."""
    parsers = {
        "tree_code": lambda v, f: parse_text(v, f, required=True),
        "dbh_cm": parse_decimal,
        "height_m": parse_decimal,
        "status": lambda v, f: parse_choice(v, f, STATUS),
        "measured_on": parse_date,
        "alive": parse_bool,
    }
    values, errors = {}, []
    for field, parse in parsers.items():
        try:
            values[field] = parse(row.get(field), field)
        except CellError as exc:
            errors.append(exc.at(row.number, row.sheet))
    return values, errors


def test_it_reads_a_latin1_semicolon_csv_with_decimal_commas() -> None:
    table = read_csv(
        fixture_path("arboles_latin1.csv"), aliases=TREE_ALIASES, required=["tree_code", "dbh_cm"]
    )
    rows = list(table.rows)
    assert (table.encoding, table.delimiter) == ("cp1252", ";")
    assert table.headers[0] == "Código árbol"
    assert table.keys == (
        "tree_code",
        "species",
        "dbh_cm",
        "height_m",
        "status",
        "measured_on",
        "alive",
        "Observaciones",
    )
    assert [row.number for row in rows] == [2, 3, 4, 6]  # A-003's note spans lines 4-5
    assert rows[1].get("Observaciones") == "Copa dañada; rama rota"
    assert rows[2].get("Observaciones") == "Tronco hueco,\r\nrevisar en la próxima visita"
    parsed = [parse_tree(row) for row in rows]
    assert all(not errors for _values, errors in parsed)
    assert parsed[0][0] == {
        "tree_code": "A-001",
        "dbh_cm": Decimal("12.5"),
        "height_m": Decimal("8.2"),
        "status": "alive",
        "measured_on": date(2026, 1, 15),
        "alive": True,
    }
    assert [values["status"] for values, _errors in parsed] == [
        "alive",
        "alive",
        "dead_standing",
        "alive",
    ]
    assert parsed[3][0]["dbh_cm"] == Decimal("31.25")


def test_it_reports_bad_cells_with_row_and_field() -> None:
    table = read_csv(fixture_path("arboles_dap_invalido.csv"), aliases=TREE_ALIASES)
    errors = [error for row in table.rows for error in parse_tree(row)[1]]
    assert [(e.row, e.field) for e in errors] == [
        (3, "dbh_cm"),
        (4, "dbh_cm"),
        (4, "measured_on"),
        (4, "alive"),
    ]
    assert errors[0].message == "“12,5,3” is not a number."
    assert errors[2].message == "“31/02/2026” is not a date; use dd/mm/yyyy or yyyy-mm-dd."
    assert table.encoding == "utf-8-sig"


def test_it_reads_utf8_with_bom_and_commas() -> None:
    table = read_csv(fixture_path("trees_en_bom.csv"), aliases=TREE_ALIASES)
    rows = list(table.rows)
    assert (table.delimiter, table.keys[0]) == (",", "tree_code")  # no BOM left in the header
    assert parse_decimal(rows[1].get("dbh_cm"), "dbh_cm") == Decimal("1234.5")
    assert parse_tree(rows[1])[0]["alive"] is False


def test_it_reads_excel_unicode_text_utf16_with_tabs() -> None:
    text = "Código árbol\tDAP (cm)\r\nA-001\t12,5\r\n"
    table = read_csv(codecs.BOM_UTF16_LE + text.encode("utf-16-le"), aliases=TREE_ALIASES)
    assert (table.encoding, table.delimiter) == ("utf-16", "\t")
    assert [row.values for row in table.rows] == [{"tree_code": "A-001", "dbh_cm": "12,5"}]


def test_it_flags_rows_split_by_unquoted_decimal_commas() -> None:
    table = read_csv(fixture_path("trees_comma_unquoted.csv"), aliases=TREE_ALIASES)
    assert [row.get("tree_code") for row in table.rows] == ["T-001"]
    assert [(e.row, e.field) for e in table.errors] == [(3, "")]
    assert "6 cells but the header has 4 columns" in table.errors[0].message


def test_it_reports_missing_required_columns_at_the_header_row() -> None:
    data = "Código;Especie\nA-1;Inga\n".encode()
    with pytest.raises(FieldFileError) as caught:
        read_csv(data, aliases=TREE_ALIASES, required=["tree_code", "dbh_cm", "height_m"])
    assert [(e.row, e.field) for e in caught.value.errors] == [(1, "dbh_cm"), (1, "height_m")]
    assert caught.value.errors[0].message == (
        "Required column missing; accepted headers: dbh_cm, DAP (cm), dap, DBH (cm)."
    )


def test_it_rejects_a_field_given_twice() -> None:
    with pytest.raises(FieldFileError) as caught:
        read_csv(b"DAP (cm);dbh_cm\n1;2\n", aliases=TREE_ALIASES)
    assert [(e.row, e.field) for e in caught.value.errors] == [(1, "dbh_cm")]


def test_it_keeps_unknown_columns_under_their_header_and_numbers_repeats() -> None:
    table = read_csv(b"codigo;Notas;Notas;\nA-1;uno;dos;\n", aliases=TREE_ALIASES)
    assert list(table.rows)[0].values == {"tree_code": "A-1", "Notas": "uno", "Notas (2)": "dos"}


def test_it_sniffs_the_delimiter_from_the_header() -> None:
    assert sniff_delimiter('"a;b",c,d\n1,2,3') == ","
    assert sniff_delimiter("a;b;c\n1,5;2,5;3") == ";"
    assert sniff_delimiter("a\tb\n1\t2") == "\t"
    assert sniff_delimiter("solo\n1") == ","


def test_it_reads_an_xlsx_with_typed_cells_below_a_title_row(trees_xlsx: bytes) -> None:
    table = read_xlsx(trees_xlsx, aliases=TREE_ALIASES)
    rows = list(table.rows)
    assert (table.sheet, table.header_row) == ("Mediciones", 3)
    assert [row.number for row in rows] == [4, 5, 7]
    assert rows[0].get("dbh_cm") == 12.5
    assert rows[0].get("measured_on") == datetime(2026, 1, 15)  # noqa: DTZ001 (naive Excel cell)
    assert [parse_tree(row)[1] for row in rows] == [[], [], []]
    assert [parse_tree(row)[0]["dbh_cm"] for row in rows] == [
        Decimal("12.5"),
        Decimal("23"),
        Decimal("7.8"),
    ]
    assert [(e.sheet, e.row, e.field) for e in table.errors] == [("Mediciones", 8, "")]
    assert table.errors[0].message == "The row has values beyond the 7 named columns."


def test_it_reads_a_named_sheet_and_every_sheet(trees_xlsx: bytes) -> None:
    assert [row.values for row in read_xlsx(trees_xlsx, sheet="Notas").rows] == [
        {"texto": "Hoja auxiliar sin datos de árboles"}
    ]
    assert [table.sheet for table in read_xlsx_sheets(trees_xlsx)] == ["Mediciones", "Notas"]
    with pytest.raises(FieldFileError, match="no sheet named “Hoja1”"):
        read_xlsx(trees_xlsx, sheet="Hoja1")


def test_it_rejects_a_file_that_is_not_a_workbook() -> None:
    with pytest.raises(FieldFileError, match="not a readable XLSX"):
        read_xlsx(b"PK\x03\x04 broken zip")


def test_it_picks_csv_or_xlsx_by_content(trees_xlsx: bytes) -> None:
    assert read_table(trees_xlsx, "export.csv").sheet == "Mediciones"
    table = read_table(
        fixture_path("arboles_latin1.csv").read_bytes(), "arboles.xlsx.txt", aliases=TREE_ALIASES
    )
    assert table.delimiter == ";"


def test_it_strips_odk_and_kobo_group_paths() -> None:
    odk = [
        "SubmissionDate",
        "plot-farm_code",
        "plot-center-Latitude",
        "plot-center_lat",
        "meta-instanceID",
        "g1-q2/m",
        "KEY",
    ]
    assert group_separator(odk) == "-"
    assert strip_group_paths(odk, "-") == [
        "SubmissionDate",
        "farm_code",
        "center-Latitude",
        "center_lat",
        "instanceID",
        "q2/m",
        "KEY",
    ]
    kobo = [
        "group_parcel/shape",
        "group_parcel/_gps_latitude",
        "grp/q1",
        "grp/q1/a",
        "_uuid",
        "_submission_time",
        "a/name",
        "b/name",
    ]
    assert group_separator(kobo) == "/"
    assert strip_group_paths(kobo, "/") == [
        "shape",
        "_gps_latitude",
        "q1",
        "q1/a",
        "_uuid",
        "_submission_time",
        "a/name",
        "b/name",
    ]
    assert group_separator(["parcel_code", "geometry"]) is None


def test_it_skips_kobos_hxl_row_and_strips_its_groups() -> None:
    table = read_csv(fixture_path("kobo_parcelas.csv"))
    rows = list(table.rows)
    assert table.delimiter == ";"
    assert [row.number for row in rows] == [3, 4]
    assert rows[0].get("parcel_code") == "PCH-0147"
    assert "shape" in table.keys and "farmer_code" in table.keys


def test_it_falls_back_to_latin1_for_bytes_cp1252_leaves_undefined() -> None:
    table = read_csv(b"codigo;nota\nA-1;\x81 se\xf1al\n", aliases=TREE_ALIASES)
    assert table.encoding == "latin-1"
    assert list(table.rows)[0].get("nota") == "\x81 señal"


def test_it_rejects_broken_utf16() -> None:
    with pytest.raises(FieldFileError, match="not valid UTF-16"):
        read_csv(codecs.BOM_UTF16_LE + b"a\x00b")


def test_it_reads_from_an_open_binary_file() -> None:
    with fixture_path("trees_en_bom.csv").open("rb") as upload:
        assert [row.number for row in read_csv(upload).rows] == [2, 3]


def test_it_ignores_columns_without_a_header() -> None:
    table = read_csv(b"codigo;;nota\nA-1;suelto;ok\n", aliases=TREE_ALIASES)
    assert table.keys == ("tree_code", "", "nota")
    assert list(table.rows)[0].values == {"tree_code": "A-1", "nota": "ok"}


@pytest.mark.parametrize("quote", ["", '"'])
def test_it_reads_a_strict_text_into_columns_and_lists_rows_of_the_wrong_width(quote):
    q = quote
    text = f"id , name,dbh\r\n{q}a{q},Inga,12\nb,Inga\n\nc,{q}Cedrela{q},30,9\nd,Guaba,7\n\n\n"
    found = read_text_columns(text, ["dbh", "id", "missing"])
    assert found.headers == ("id", "name", "dbh")
    assert found.columns == {"dbh": ["12", "7"], "id": ["a", "d"]}
    assert found.lines.tolist() == [2, 6] and found.n_rows == 2
    assert found.ragged == ((3, 2), (4, 0), (5, 4))
    assert found.quoted is bool(quote)
