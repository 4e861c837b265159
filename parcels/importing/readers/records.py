"""What the boundary readers return: located records and the errors of the rejected ones."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.gis.geos import MultiPolygon

from parcels.importing.readers.errors import RowError
from parcels.importing.readers.geometry import Shape

GEOMETRY_FIELD = "geometry"
"""The field name boundary errors carry, and the canonical name of a table's boundary column."""


@dataclass(frozen=True)
class GeoRecord:
    """One parcel boundary and the attributes that came with it.

    ``sheet``/``row`` locate it (file in a ZIP or sheet; line, row, feature or placemark number).
    ``key`` is the source's own identifier when it has one: GeoJSON feature ``id``, KML Placemark
    ``id``, ODK ``KEY``, Kobo ``_uuid``[+repeat path]; ``""`` otherwise. ``accuracies`` are the
    per-vertex GPS accuracies (metres) of an ODK/Kobo geoshape.
    """

    sheet: str
    row: int
    key: str
    properties: dict[str, object]
    geometry: MultiPolygon
    accuracies: tuple[float | None, ...] = ()


@dataclass
class GeoResult:
    """The boundaries read from one file, the rejected ones, and the detected format.

    ``headers`` maps canonical names to the column or property names the file uses.
    """

    format: str
    records: list[GeoRecord] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def add(
        self, sheet: str, row: int, key: str, properties: dict[str, object], shape: Shape
    ) -> None:
        """Append a record for a checked shape."""
        self.records.append(
            GeoRecord(sheet, row, key, properties, shape.geometry, shape.accuracies)
        )
