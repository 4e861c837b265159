"""Typed cell parsers: what they accept, and the field-naming errors for what they do not."""

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy

from parcels.importing.readers.cells import (
    choice_lookup,
    normalize_label,
    parse_bool,
    parse_choice,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_int,
    parse_text,
)
from parcels.importing.readers.errors import CellError, RowError


class TreeStatus(models.TextChoices):
    ALIVE = "alive", gettext_lazy("Alive")
    DEAD_STANDING = "dead_standing", gettext_lazy("Dead, standing")
    CUT = "cut", gettext_lazy("Cut")


SPANISH_STATUS = {"alive": ["vivo"], "dead_standing": ["muerto en pie"], "cut": ["talado"]}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12,5", "12.5"),
        ("12.5", "12.5"),
        (" 12,50 ", "12.50"),
        ("1.234,5", "1234.5"),
        ("1,234.5", "1234.5"),
        ("1 234,5", "1234.5"),
        ("1\u00a0234,5", "1234.5"),
        ("1.234.567", "1234567"),
        ("1,234,567.25", "1234567.25"),
        ("-0,5", "-0.5"),
        ("+3", "3"),
        (",5", "0.5"),
        ("1,234", "1.234"),  # one mark is always the decimal mark
        (12.5, "12.5"),
        (0.1, "0.1"),  # from the float's shortest repr, not its binary expansion
        (7, "7"),
        (Decimal("2.35"), "2.35"),
    ],
)
def test_it_parses_decimals_in_both_locales(raw: object, expected: str) -> None:
    assert parse_decimal(raw, "dap_cm") == Decimal(expected)


@pytest.mark.parametrize(
    "raw",
    [
        "12,5,3",
        "doce",
        "1.23.4",
        "12.5,3",
        "1,23.5",
        "1e5",
        ",",
        "-",
        "NaN",
        True,
        float("nan"),
        float("inf"),
        [12],
    ],
)
def test_it_rejects_bad_decimals_naming_the_field(raw: object) -> None:
    with pytest.raises(CellError) as caught:
        parse_decimal(raw, "dap_cm")
    assert caught.value.field == "dap_cm"
    assert "is not a number" in caught.value.message
    assert str(caught.value).startswith("dap_cm: ")


def test_it_returns_none_for_blanks_unless_required() -> None:
    assert parse_decimal("  ", "dap_cm") is None
    assert parse_decimal(None, "dap_cm") is None
    with pytest.raises(CellError, match="required") as caught:
        parse_decimal("", "dap_cm", required=True)
    assert caught.value.field == "dap_cm"


def test_it_locates_a_cell_error_as_a_row_error() -> None:
    error = CellError("dap_cm", "“doce” is not a number.").at(7, "Mediciones")
    assert error == RowError(
        row=7, field="dap_cm", message="“doce” is not a number.", sheet="Mediciones"
    )
    assert str(error) == "Mediciones, row 7, dap_cm: “doce” is not a number."


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12", 12), ("12.0", 12), ("12,0", 12), (12.0, 12), ("1.234.567", 1234567), ("-3", -3)],
)
def test_it_parses_integers(raw: object, expected: int) -> None:
    assert parse_int(raw, "count") == expected


@pytest.mark.parametrize("raw", ["12,5", "1.234", "doce", 3.5])
def test_it_rejects_non_integers(raw: object) -> None:
    with pytest.raises(CellError) as caught:
        parse_int(raw, "count")
    assert caught.value.field == "count"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-01-15", date(2026, 1, 15)),
        ("15/01/2026", date(2026, 1, 15)),
        ("5/1/2026", date(2026, 1, 5)),
        ("15-01-2026", date(2026, 1, 15)),
        ("15.01.2026", date(2026, 1, 15)),
        ("2026/01/15", date(2026, 1, 15)),
        ("15/01/2026 10:30", date(2026, 1, 15)),
        ("2018-04-26T08:56:00.000Z", date(2018, 4, 26)),  # ODK Central SubmissionDate
        ("2017-10-23T05:41:14.000-04:00", date(2017, 10, 23)),  # Kobo start/end
        (datetime(2026, 1, 15, 9, 0), date(2026, 1, 15)),  # noqa: DTZ001 (Excel cells are naive)
        (date(2026, 1, 15), date(2026, 1, 15)),
        (46037, date(2026, 1, 15)),  # Excel serial in a General-formatted cell
    ],
)
def test_it_parses_dates(raw: object, expected: date) -> None:
    assert parse_date(raw, "visit_date") == expected


@pytest.mark.parametrize(
    "raw", ["31/02/2026", "01/25/2026", "15/01/26", "ayer", "2026-13-01", -5, 10**8]
)
def test_it_rejects_bad_dates(raw: object) -> None:
    with pytest.raises(CellError) as caught:
        parse_date(raw, "visit_date")
    assert caught.value.field == "visit_date"
    assert "is not a date" in caught.value.message


def test_it_parses_odk_and_kobo_timestamps_as_aware_datetimes() -> None:
    assert parse_datetime("2018-01-01T00:00:00.000Z", "submitted") == datetime(
        2018, 1, 1, tzinfo=UTC
    )
    kobo = parse_datetime("2019-07-19T22:47:15", "submitted")  # UTC without a suffix
    assert kobo == datetime(2019, 7, 19, 22, 47, 15, tzinfo=UTC)
    lima = timezone(timedelta(hours=-5))
    assert parse_datetime("15/01/2026 09:30", "start", tz=lima) == datetime(
        2026, 1, 15, 9, 30, tzinfo=lima
    )
    assert parse_datetime("2017-10-23T05:41:14.000-04:00", "start").utcoffset() == timedelta(
        hours=-4
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("sí", True),
        ("SI", True),
        ("si", True),
        ("yes", True),
        ("true", True),
        ("1", True),
        (1, True),
        (1.0, True),
        (True, True),
        ("Verdadero", True),
        ("no", False),
        ("NO", False),
        ("false", False),
        ("0", False),
        (0, False),
        (False, False),
        ("falso", False),
    ],
)
def test_it_parses_booleans_in_spanish_and_english(raw: object, expected: bool) -> None:
    assert parse_bool(raw, "alive") is expected


def test_it_rejects_unknown_booleans() -> None:
    with pytest.raises(CellError) as caught:
        parse_bool("quizás", "alive")
    assert (caught.value.field, caught.value.message) == (
        "alive",
        "“quizás” is not yes or no (sí/no).",
    )


def test_it_matches_choices_by_value_label_and_alias_ignoring_case_and_accents() -> None:
    lookup = choice_lookup(TreeStatus.choices, aliases=SPANISH_STATUS)
    assert parse_choice("alive", "status", lookup) == "alive"
    assert parse_choice("Dead, standing", "status", lookup) == "dead_standing"
    assert parse_choice("DEAD_STANDING", "status", lookup) == "dead_standing"
    assert parse_choice("Muerto en pie", "status", lookup) == "dead_standing"
    assert parse_choice("TALADO", "status", lookup) == "cut"
    assert parse_choice("", "status", lookup) is None


def test_it_lists_the_accepted_choices_when_none_match() -> None:
    lookup = choice_lookup(TreeStatus.choices, aliases=SPANISH_STATUS)
    with pytest.raises(CellError) as caught:
        parse_choice("quemado", "status", lookup)
    assert caught.value.field == "status"
    assert caught.value.message == "“quemado” is not one of: alive, cut, dead_standing."


def test_it_renders_lazy_choice_labels_in_each_language() -> None:
    labels = [("alive", gettext_lazy("Alive")), ("cut", gettext_lazy("Felled"))]
    lookup = choice_lookup(labels, languages=("en",))
    assert lookup == {"alive": "alive", "cut": "cut", "felled": "cut"}


def test_it_folds_headers_and_labels() -> None:
    assert normalize_label("DAP (cm)") == normalize_label("dap_cm") == normalize_label("Dap cm")
    assert normalize_label("Código árbol") == "codigoarbol"
    assert normalize_label("N.º de placa") == "nodeplaca"


def test_it_keeps_excel_whole_numbers_as_text_codes() -> None:
    assert parse_text(40123456.0, "dni") == "40123456"
    assert parse_text(40123456, "dni") == "40123456"
    assert parse_text("  PCH-0147 ", "parcel_code") == "PCH-0147"
    with pytest.raises(CellError) as caught:
        parse_text(" ", "parcel_code", required=True)
    assert caught.value.field == "parcel_code"


def test_it_accepts_excel_date_and_datetime_cells_as_datetimes() -> None:
    lima = timezone(timedelta(hours=-5))
    naive = datetime(2026, 1, 15, 9, 30)  # noqa: DTZ001 (Excel cells are naive)
    assert parse_datetime(naive, "start", tz=lima) == datetime(2026, 1, 15, 9, 30, tzinfo=lima)
    assert parse_datetime(date(2026, 1, 15), "start") == datetime(2026, 1, 15, tzinfo=UTC)
    assert parse_datetime("", "start") is None


@pytest.mark.parametrize("parse", [parse_date, parse_datetime, parse_bool, parse_int])
def test_it_requires_values_in_every_parser(parse) -> None:  # noqa: ANN001
    assert parse(" ", "field") is None
    with pytest.raises(CellError, match="This value is required."):
        parse(None, "field", required=True)


def test_it_speaks_spanish_when_spanish_is_active() -> None:
    with translation.override("es"):
        with pytest.raises(CellError) as caught:
            parse_decimal("doce", "dap_cm")
        located = str(caught.value.at(4))
    assert caught.value.message == "“doce” no es un número."
    assert located == "fila 4, dap_cm: “doce” no es un número."
