"""Exports of parcels: EUDR-style GeoJSON and CSV (any list as CSV: `pichanaki.exports`).

EUDR GeoJSON (docs: field-formats §3): a FeatureCollection in WGS84, [lon, lat] positions
rounded to 6 decimals with consecutive duplicates removed, one feature per parcel with
ProducerName, ProducerCountry, ProductionPlace and Area (ha, a JSON number). Interior rings
(holes) are not accepted by the EU Information System, so only outer rings are written and
the feature says so in `HasExclusions`.
"""

import json
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.contrib.gis.geos import GEOSGeometry
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _

from parcels.models import Parcel
from pichanaki.exports import csv_response, export_filename

COORDINATE_DECIMALS = 6


def _round_ring(ring: Sequence[Sequence[float]]) -> list[list[float]]:
    rounded: list[list[float]] = []
    for x, y, *_rest in ring:
        position = [round(x, COORDINATE_DECIMALS), round(y, COORDINATE_DECIMALS)]
        if not rounded or rounded[-1] != position:
            rounded.append(position)
    if rounded[0] != rounded[-1]:
        rounded.append(rounded[0])
    return rounded


def eudr_geometry(parcel: Parcel) -> dict[str, Any]:
    """The boundary's outer rings, rounded; a Polygon when the parcel has one part."""
    polygons = [[_round_ring(polygon[0])] for polygon in parcel.boundary.coords]
    if len(polygons) == 1:
        return {"type": "Polygon", "coordinates": polygons[0]}
    return {"type": "MultiPolygon", "coordinates": polygons}


def eudr_feature(parcel: Parcel) -> dict[str, Any]:
    owner = parcel.smallholder
    place = f"{parcel.code} {parcel.name}".strip()
    return {
        "type": "Feature",
        "properties": {
            "ProducerName": f"{owner.first_name} {owner.last_name}".strip(),
            "ProducerCountry": parcel.project.country,
            "ProductionPlace": place,
            "Area": float(parcel.area_ha),
            "parcel_code": parcel.code,
            "cooperative": owner.cooperative.name,
            "HasExclusions": any(len(polygon) > 1 for polygon in parcel.boundary.coords),
        },
        "geometry": eudr_geometry(parcel),
    }


def eudr_geojson(parcels: Iterable[Parcel]) -> dict[str, Any]:
    """A FeatureCollection of the parcels, ready for json.dumps."""
    return {"type": "FeatureCollection", "features": [eudr_feature(p) for p in parcels]}


def eudr_response(parcels: QuerySet[Parcel]) -> HttpResponse:
    parcels = parcels.select_related("project", "smallholder", "smallholder__cooperative")
    body = json.dumps(eudr_geojson(parcels), ensure_ascii=False)
    response = HttpResponse(body, content_type="application/geo+json")
    response["Content-Disposition"] = f'attachment; filename="{export_filename("eudr", "geojson")}"'
    return response


PARCEL_CSV_COLUMNS: list[tuple[str, Any]] = [
    (_("code"), lambda p: p.code),
    (_("name"), lambda p: p.name),
    (_("producer"), lambda p: f"{p.smallholder.first_name} {p.smallholder.last_name}"),
    (_("cooperative"), lambda p: p.smallholder.cooperative.name),
    (_("country"), lambda p: p.project.country),
    (_("area (ha)"), lambda p: p.area_ha),
    (_("status"), lambda p: p.get_status_display()),
    (_("land use before the project"), lambda p: p.get_land_use_before_display()),
    (_("stratum"), lambda p: p.stratum.code if p.stratum_id else ""),
    (_("centroid latitude"), lambda p: Decimal(f"{p.boundary.centroid.y:.6f}")),
    (_("centroid longitude"), lambda p: Decimal(f"{p.boundary.centroid.x:.6f}")),
    (_("boundary (WKT)"), lambda p: _wkt6(p)),
]


def _wkt6(parcel: Parcel) -> str:
    return GEOSGeometry(json.dumps(eudr_geometry(parcel))).wkt


def parcels_csv_response(parcels: QuerySet[Parcel]) -> HttpResponse:
    parcels = parcels.select_related("project", "smallholder__cooperative", "stratum")
    headers = [force_str(label) for label, _getter in PARCEL_CSV_COLUMNS]
    rows = ([getter(p) for _label, getter in PARCEL_CSV_COLUMNS] for p in parcels)
    return csv_response(headers, rows, name="parcels")
