"""The project map's data: parcels inside a bounding box as GeoJSON, with the measure the map
is coloured by. The database builds the GeoJSON text of each boundary; only the rows inside the
box are read (spatial index), and at most MAP_FEATURE_LIMIT of them, so the cost follows the
view, not the size of the project.
"""

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.gis.db.models.functions import AsGeoJSON
from django.contrib.gis.geos import Polygon
from django.db.models import Max, OuterRef, QuerySet, Subquery, Sum
from django.utils.translation import gettext_lazy as _

from backoffice.selectors.access import PanelView
from parcels.models import Parcel, SurvivalCount
from parcels.selectors import parcels_for, plantings_for
from quantification.models import CalculationRun, ParcelResult, RunKind, RunStatus
from smallholders.selectors import AnyUser

MAP_FEATURE_LIMIT = 5000
MEASURES = {
    "cooperative": _("Cooperative"),
    "status": _("Status"),
    "tco2e_ha": _("tCO2e/ha (latest approved run)"),
    "monitored": _("Last monitored (year)"),
    "survival": _("Survival (%)"),
}


class BadBox(ValueError):
    """A bbox parameter that is not four numbers in degrees, west,south,east,north."""


@dataclass(frozen=True)
class MapPage:
    features: list[dict[str, Any]]
    truncated: bool


def parse_bbox(text: str) -> Polygon:
    try:
        west, south, east, north = (float(part) for part in text.split(","))
    except ValueError as exc:
        raise BadBox(text) from exc
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise BadBox(text)
    return Polygon.from_bbox((west, south, east, north))


def _latest_ex_post(view: PanelView) -> CalculationRun | None:
    runs = CalculationRun.objects.filter(
        project=view.project, kind=RunKind.EX_POST, status=RunStatus.APPROVED
    )
    return runs.order_by("-period_end", "-pk").first()


def _with_measure(
    parcels: QuerySet[Parcel], *, user: AnyUser, view: PanelView, measure: str
) -> QuerySet[Parcel]:
    if measure == "tco2e_ha":
        run = _latest_ex_post(view)
        result = ParcelResult.objects.filter(run=run, parcel=OuterRef("pk"))
        return parcels.annotate(value=Subquery(result.values("stock_tco2e")[:1]))
    if measure == "monitored":
        return parcels.annotate(value=Max("plots__measured_on"))
    if measure == "survival":
        last = SurvivalCount.objects.filter(planting=OuterRef("pk")).order_by("-counted_on")
        alive = (
            plantings_for(user=user)
            .filter(parcel=OuterRef("pk"))
            .annotate(alive=Subquery(last.values("trees_alive")[:1]))
            .values("parcel")
            .annotate(total=Sum("alive"))
            .values("total")
        )
        planted = (
            plantings_for(user=user)
            .filter(parcel=OuterRef("pk"))
            .values("parcel")
            .annotate(total=Sum("trees_planted"))
            .values("total")
        )
        return parcels.annotate(alive=Subquery(alive), planted=Subquery(planted))
    return parcels


# parcel is Any: it carries the annotations of _with_measure (value, alive, planted).
def _value(parcel: Any, measure: str) -> object:
    if measure == "cooperative":
        return parcel.smallholder.cooperative.code
    if measure == "status":
        return parcel.status
    if measure == "tco2e_ha":
        if parcel.value is None or not parcel.area_ha:
            return None
        return round(float(parcel.value / parcel.area_ha), 1)
    if measure == "monitored":
        return parcel.value.year if isinstance(parcel.value, date) else None
    if measure == "survival":
        if not parcel.planted or parcel.alive is None:
            return None
        return round(100 * parcel.alive / parcel.planted, 1)
    return None


def map_features(*, user: AnyUser, view: PanelView, bbox: Polygon, measure: str) -> MapPage:
    parcels = parcels_for(user=user).filter(project=view.project, boundary__bboverlaps=bbox)
    if view.cooperative_id:
        parcels = parcels.filter(smallholder__cooperative_id=view.cooperative_id)
    parcels = _with_measure(parcels, user=user, view=view, measure=measure)
    rows = list(
        parcels.select_related("smallholder__cooperative")
        .annotate(geojson=AsGeoJSON("boundary", precision=6))
        .defer("boundary")
        .order_by("pk")[: MAP_FEATURE_LIMIT + 1]
    )
    features = [
        {
            "type": "Feature",
            "id": parcel.pk,
            "geometry": json.loads(parcel.geojson),
            "properties": {
                "code": parcel.code,
                "cooperative": parcel.smallholder.cooperative.name,
                "status": parcel.get_status_display(),
                "area_ha": float(parcel.area_ha),
                "value": _value(parcel, measure),
            },
        }
        for parcel in rows[:MAP_FEATURE_LIMIT]
    ]
    return MapPage(features=features, truncated=len(rows) > MAP_FEATURE_LIMIT)
