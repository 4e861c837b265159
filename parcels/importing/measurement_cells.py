"""The cells of a tree-measurement row: status and origin spellings, diameters and heights
(rounded to the stored tenth), stem numbers, notes, and the plot visit a row creates."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from django.contrib.gis.geos import Point
from django.utils.translation import gettext as _

from parcels import validation
from parcels.choices import TreeOrigin, TreeStatus
from parcels.importing.base import RowCheck
from parcels.importing.lookups import ParcelRef
from parcels.importing.readers.cells import parse_decimal, parse_int, parse_text
from parcels.importing.readers.geometry import PERU_BOUNDS
from parcels.models import MonitoringPlot

_PLAIN_NUMBER = re.compile(r"\d{1,4}(\.\d+)?")
_TENTH = Decimal("0.1")
_HUNDREDTH = Decimal("0.01")
STATUS_ALIASES = {
    TreeStatus.ALIVE: ("vivo", "viva", "v", "a", "live"),
    TreeStatus.DEAD: ("muerto", "muerta", "m", "d", "ausente"),
    TreeStatus.CUT: ("cortado", "cortada", "talado", "c", "felled"),
}
ORIGIN_ALIASES = {
    TreeOrigin.PLANTED: ("plantado", "sembrado", "p"),
    TreeOrigin.PRE_EXISTING: ("preexistente", "natural", "remanente", "regeneracion"),
}
NOTES_MAX = 300


def parse_measure(value: object, field: str) -> Decimal | None:
    """A DBH or height: plain "12.5" fast, anything else through the locale-aware parser.

    Rounded to the stored tenth, as the database column would.
    """
    if isinstance(value, str) and _PLAIN_NUMBER.fullmatch(value):
        return Decimal(value).quantize(_TENTH)
    number = parse_decimal(value, field)
    return None if number is None else number.quantize(_TENTH)


def stem_cell(check: RowCheck) -> int | None:
    stem = check.parse(parse_int, "stem")
    if stem is not None and stem < 1:
        check.fail("stem", _("The stem number starts at 1."))
    return stem or 1


def notes_cell(check: RowCheck) -> str:
    notes = check.parse(parse_text, "notes") or ""
    if len(notes) > NOTES_MAX:
        check.fail("notes", _("At most %(count)s characters.") % {"count": NOTES_MAX})
    return notes


def dbh_cell(check: RowCheck) -> Decimal | None:
    dbh = check.parse(parse_measure, "dbh_cm")
    check.run(lambda: validation.validate_dbh(dbh))
    return dbh


def height_cell(check: RowCheck) -> Decimal | None:
    height = check.parse(parse_measure, "height_m")
    check.run(lambda: validation.validate_height(height))
    return height


def new_plot_visit(
    check: RowCheck, parcel: ParcelRef, code: str, day: date
) -> MonitoringPlot | None:
    """The visit a row creates (not yet saved), from its centre, radius and slope cells."""
    lat = check.parse(parse_decimal, "plot_lat")
    lon = check.parse(parse_decimal, "plot_lon")
    radius = check.parse(parse_decimal, "plot_radius_m")
    slope = check.parse(parse_decimal, "slope_pct")
    if lat is None or lon is None or radius is None:
        if check.ok:  # else the unreadable cell was reported already
            check.fail(
                "plot_code",
                _(
                    "Unknown plot visit; to create it, give plot_lat, "
                    "plot_lon and plot_radius_m on its first row."
                ),
            )
        return None
    area = check.run(lambda: validation.plot_area_m2(radius, slope_pct=slope))
    if not _inside_peru(check, lon, lat) or area is None:
        return None
    return MonitoringPlot(
        parcel_id=parcel.pk,
        code=code,
        measured_on=day,
        radius_m=radius.quantize(_HUNDREDTH),  # as stored: the area is derived from it
        area_m2=area,
        slope_pct=None if slope is None else slope.quantize(_TENTH),
        centre=Point(float(lon), float(lat), srid=4326),
        team=check.parse(parse_text, "team") or "",
    )


def _inside_peru(check: RowCheck, lon: Decimal, lat: Decimal) -> bool:
    west, south, east, north = PERU_BOUNDS
    if west <= lon <= east and south <= lat <= north:
        return True
    check.fail(
        "plot_lat",
        _(
            "The plot centre (%(lat)s, %(lon)s) is outside Peru; check the "
            "latitude/longitude order and signs."
        )
        % {"lat": lat, "lon": lon},
    )
    return False
