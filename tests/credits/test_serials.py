"""Printed serials and apportionment: pure functions, no database."""

from decimal import Decimal

import pytest

from credits.apportion import apportion
from credits.serials import SerialFormatError, format_range, format_serial, parse_serial

FIELDS = {
    "prefix": "PCH",
    "country": "PE",
    "project_number": 1,
    "unit_type": "VER",
    "vintage": 2012,
}


def test_it_formats_the_issue_example():
    assert format_range(**FIELDS, start=1, end=500) == "PCH-PE-001-VER-2012-000000001-000000500"


def test_it_formats_one_serial():
    assert format_serial(**FIELDS, serial=42) == "PCH-PE-001-VER-2012-000000042"


def test_it_round_trips_a_range():
    parsed = parse_serial("PCH-PE-001-VER-2012-000000001-000000500")
    assert (parsed.prefix, parsed.country, parsed.project_number) == ("PCH", "PE", 1)
    assert (parsed.unit_type, parsed.vintage, parsed.start, parsed.end) == ("VER", 2012, 1, 500)
    assert parsed.quantity == 500
    assert str(parsed) == "PCH-PE-001-VER-2012-000000001-000000500"


def test_it_parses_a_single_serial_as_a_range_of_one():
    parsed = parse_serial(" pch-pe-001-per-2015-000000007 ")
    assert (parsed.unit_type, parsed.start, parsed.end, parsed.quantity) == ("PER", 7, 7, 1)


def test_it_keeps_numbers_wider_than_the_padding():
    text = format_range(**FIELDS, start=1, end=1_234_567_890)
    assert text.endswith("-000000001-1234567890")
    assert parse_serial(text).end == 1_234_567_890


@pytest.mark.parametrize(
    "text",
    [
        "",
        "PCH-PE-001-VER-2012",
        "PCH-PE-001-XYZ-2012-000000001",
        "PCH-PE-001-VER-2012-000000009-000000001",
        "PCH-PE-001-VER-2012-000000000",
        "PCH-PER-001-VER-2012-000000001",
        "PCH-PE-001-VER-2012-1-2-3",
    ],
)
def test_it_rejects_malformed_serials(text):
    with pytest.raises(SerialFormatError):
        parse_serial(text)


def test_it_refuses_to_format_an_inverted_range():
    with pytest.raises(SerialFormatError):
        format_range(**FIELDS, start=5, end=4)


def test_it_apportions_by_largest_remainder():
    assert apportion(10, [1, 1, 1]) == [4, 3, 3]
    assert apportion(700, [Decimal(5), Decimal(3), Decimal(2)]) == [350, 210, 140]
    assert apportion(7, [Decimal("0.5"), Decimal("0.3"), Decimal("0.2")]) == [4, 2, 1]
    assert sum(apportion(1_000_003, [3, 7, 11, 13])) == 1_000_003


def test_it_apportions_zero_and_refuses_zero_weights():
    assert apportion(0, [0, 0]) == [0, 0]
    with pytest.raises(ValueError, match="zero weights"):
        apportion(3, [0, 0])
