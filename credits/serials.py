"""Printed serial numbers, pure (no database): format and parse.

A block prints as `PCH-PE-001-VER-2012-000000001-000000500`:
registry prefix, country (ISO 3166-1 alpha-2), project number (3+ digits), unit type, vintage,
first and last serial (9+ digits, inclusive). One serial prints without the end:
`PCH-PE-001-VER-2012-000000042`. Serial integers are per project, unit type and vintage.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

UNIT_CODES = ("PER", "VER")
SERIAL_DIGITS = 9
PROJECT_DIGITS = 3

_PATTERN = re.compile(
    r"^(?P<prefix>[A-Z][A-Z0-9]{1,9})-(?P<country>[A-Z]{2})-(?P<project>\d{3,6})-"
    r"(?P<unit>[A-Z]{3})-(?P<vintage>\d{4})-(?P<start>\d{1,18})(?:-(?P<end>\d{1,18}))?$"
)


class SerialFormatError(ValueError):
    """The text is not a serial or serial range of this registry's format."""


@dataclass(frozen=True)
class SerialRange:
    """A parsed serial: one serial has `start == end`."""

    prefix: str
    country: str
    project_number: int
    unit_type: str
    vintage: int
    start: int
    end: int

    @property
    def quantity(self) -> int:
        return self.end - self.start + 1

    def __str__(self) -> str:
        return format_range(
            prefix=self.prefix,
            country=self.country,
            project_number=self.project_number,
            unit_type=self.unit_type,
            vintage=self.vintage,
            start=self.start,
            end=self.end,
        )


def project_code(*, prefix: str, country: str, project_number: int) -> str:
    """A registered project as its serials print it: `PCH-PE-001`."""
    return f"{prefix}-{country}-{project_number:0{PROJECT_DIGITS}d}"


def _stem(*, prefix: str, country: str, project_number: int, unit_type: str, vintage: int) -> str:
    code = project_code(prefix=prefix, country=country, project_number=project_number)
    return f"{code}-{unit_type}-{vintage:04d}"


def format_range(
    *,
    prefix: str,
    country: str,
    project_number: int,
    unit_type: str,
    vintage: int,
    start: int,
    end: int,
) -> str:
    """The printed serial of the block `start..end` (inclusive)."""
    if not 1 <= start <= end:
        raise SerialFormatError(_("A serial range needs 1 ≤ start ≤ end."))
    stem = _stem(
        prefix=prefix,
        country=country,
        project_number=project_number,
        unit_type=unit_type,
        vintage=vintage,
    )
    return f"{stem}-{start:0{SERIAL_DIGITS}d}-{end:0{SERIAL_DIGITS}d}"


def project_range(project, *, unit_type: str, vintage: int, start: int, end: int) -> str:
    """The printed serial of the block `start..end` of a registered project.

    `project` is a Project with its `registry` entry (the one place that reads the prefix and
    number off it: blocks, events in the admin and the public lookup all print through here).
    """
    registry = project.registry
    return format_range(
        prefix=registry.prefix,
        country=project.country,
        project_number=registry.number,
        unit_type=unit_type,
        vintage=vintage,
        start=start,
        end=end,
    )


def format_serial(
    *, prefix: str, country: str, project_number: int, unit_type: str, vintage: int, serial: int
) -> str:
    """The printed form of one serial."""
    if serial < 1:
        raise SerialFormatError(_("Serials start at 1."))
    stem = _stem(
        prefix=prefix,
        country=country,
        project_number=project_number,
        unit_type=unit_type,
        vintage=vintage,
    )
    return f"{stem}-{serial:0{SERIAL_DIGITS}d}"


def parse_serial(text: str) -> SerialRange:
    """Parse one serial or a serial range; raise SerialFormatError naming what is wrong."""
    match = _PATTERN.match(text.strip().upper())
    if match is None:
        raise SerialFormatError(
            _("“%(text)s” is not a serial: expected e.g. PCH-PE-001-VER-2012-000000001.")
            % {"text": text}
        )
    if match["unit"] not in UNIT_CODES:
        raise SerialFormatError(
            _("Unknown unit type “%(unit)s”: expected PER or VER.") % {"unit": match["unit"]}
        )
    start = int(match["start"])
    end = int(match["end"]) if match["end"] is not None else start
    if not 1 <= start <= end:
        raise SerialFormatError(_("A serial range needs 1 ≤ start ≤ end."))
    return SerialRange(
        prefix=match["prefix"],
        country=match["country"],
        project_number=int(match["project"]),
        unit_type=match["unit"],
        vintage=int(match["vintage"]),
        start=start,
        end=end,
    )
