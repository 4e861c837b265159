"""A large Spanish-Excel CSV streams through the reader and the cell parsers intact.

Speed is measured in bench/bench_import.py, not here: this test checks that every row of a big
file arrives, in order, with its values parsed.
"""

from decimal import Decimal

from parcels.importing.readers.cells import choice_lookup, parse_choice, parse_date, parse_decimal
from parcels.importing.readers.tabular import read_csv

ROWS = 20_000


def spanish_excel_csv(rows: int) -> bytes:
    lines = ["Código árbol;Especie;DAP (cm);Altura (m);Estado;Fecha de medición"]
    lines += [
        f"A-{n:06d};Inga spp.;{10 + n % 900},{n % 10};{2 + n % 28},5;vivo;15/01/2026"
        for n in range(rows)
    ]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def test_it_streams_every_row_with_typed_parsing() -> None:
    data = spanish_excel_csv(ROWS)
    status = choice_lookup([("alive", "Alive")], aliases={"alive": ["vivo"]})
    aliases = {
        "tree_code": ["Código árbol"],
        "dbh_cm": ["DAP (cm)"],
        "height_m": ["Altura (m)"],
        "status": ["Estado"],
        "measured_on": ["Fecha de medición"],
    }
    total, last_row = Decimal(0), 0
    for row in read_csv(data, aliases=aliases).rows:
        total += parse_decimal(row.get("dbh_cm"), "dbh_cm") or 0
        parse_decimal(row.get("height_m"), "height_m")
        parse_choice(row.get("status"), "status", status)
        parse_date(row.get("measured_on"), "measured_on")
        last_row = row.number
    assert last_row == ROWS + 1
    assert total == sum(Decimal(f"{10 + n % 900}.{n % 10}") for n in range(ROWS))
