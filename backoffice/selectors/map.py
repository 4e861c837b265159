"""The project map's data: parcels inside a bounding box as GeoJSON, with the measure the map
is coloured by. The database builds the GeoJSON text of each boundary; only the rows inside the
box are read (spatial index), and at most MAP_FEATURE_LIMIT of them, so the cost follows the
view, not the size of the project.
"""

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.gis.db.models.functions import AsGeoJSON, GeomOutputGeoFunc
from django.contrib.gis.geos import Polygon
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Max, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.sql.compiler import SQLCompiler
from django.utils.translation import gettext_lazy as _

from backoffice.selectors.access import PanelView
from parcels.choices import ParcelStatus
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
    features_json: list[str]  # each feature's GeoJSON text
    truncated: bool

    def as_json(self) -> str:
        """The FeatureCollection's text (features joined as they are, never re-parsed)."""
        features = ", ".join(self.features_json)
        truncated = "true" if self.truncated else "false"
        return (
            f'{{"type": "FeatureCollection", "truncated": {truncated}, "features": [{features}]}}'
        )


def parse_bbox(text: str) -> Polygon:
    try:
        west, south, east, north = (float(part) for part in text.split(","))
    except ValueError as exc:
        raise BadBox(text) from exc
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise BadBox(text)
    return Polygon.from_bbox((west, south, east, north))


def latest_ex_post(view: PanelView) -> CalculationRun | None:
    runs = CalculationRun.objects.filter(
        project=view.project, kind=RunKind.EX_POST, status=RunStatus.APPROVED
    )
    return runs.order_by("-period_end", "-pk").first()


def _with_measure(
    parcels: QuerySet[Parcel], *, user: AnyUser, view: PanelView, measure: str
) -> QuerySet[Parcel]:
    if measure == "tco2e_ha":
        run = latest_ex_post(view)
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


def _value(row: dict[str, Any], measure: str) -> object:
    if measure == "cooperative":
        return row["smallholder__cooperative__code"]
    if measure == "status":
        return row["status"]
    value = row.get("value")
    if measure == "tco2e_ha":
        if value is None or not row["area_ha"]:
            return None
        return round(float(value / row["area_ha"]), 1)
    if measure == "monitored":
        return value.year if isinstance(value, date) else None
    if measure == "survival":
        if not row["planted"] or row["alive"] is None:
            return None
        return round(100 * row["alive"] / row["planted"], 1)
    return None


class SimplifiedBoundary(GeomOutputGeoFunc):
    """The boundary without the detail a screen cannot show at this scale (topology kept)."""

    function = "ST_SimplifyPreserveTopology"
    geom_param_pos = (0,)

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, Any]:
        return super().as_sql(
            compiler, connection, function="SimplifyPreserveTopology", **extra_context
        )


def visible_parcels(*, user: AnyUser, view: PanelView, bbox: Polygon) -> QuerySet[Parcel]:
    """The parcels of the page the person may see whose boundary's box overlaps `bbox` (the
    one scope of the GeoJSON answer and of the vector tiles)."""
    parcels = parcels_for(user=user).filter(project=view.project, boundary__bboverlaps=bbox)
    if view.cooperative_id:
        parcels = parcels.filter(smallholder__cooperative_id=view.cooperative_id)
    return parcels


def map_features(*, user: AnyUser, view: PanelView, bbox: Polygon, measure: str) -> MapPage:
    """The parcels overlapping `bbox` (at most MAP_FEATURE_LIMIT), as GeoJSON text written by
    the database: boundaries simplified to about a quarter of a screen pixel of the box (a
    1,024-pixel-wide map), no model objects built, no geometry parsed in Python."""
    parcels = visible_parcels(user=user, view=view, bbox=bbox)
    parcels = _with_measure(parcels, user=user, view=view, measure=measure)
    west, _south, east, _north = bbox.extent
    tolerance = (east - west) / 4096
    geometry = AsGeoJSON(SimplifiedBoundary("boundary", Value(tolerance)), precision=6)
    extra = {"value": "value"} if measure in ("tco2e_ha", "monitored") else {}
    if measure == "survival":
        extra = {"alive": "alive", "planted": "planted"}
    rows = list(
        parcels.annotate(geojson=geometry)
        .values(
            "pk",
            "code",
            "status",
            "area_ha",
            "smallholder__cooperative__code",
            "smallholder__cooperative__name",
            "geojson",
            *extra,
        )
        .order_by("pk")[: MAP_FEATURE_LIMIT + 1]
    )
    statuses = dict(ParcelStatus.choices)
    features = [
        FEATURE
        % (
            row["pk"],
            row["geojson"],
            json.dumps(
                {
                    "code": row["code"],
                    "cooperative": row["smallholder__cooperative__name"],
                    "status": str(statuses.get(row["status"], row["status"])),
                    "area_ha": float(row["area_ha"]),
                    "value": _value(row, measure),
                }
            ),
        )
        for row in rows[:MAP_FEATURE_LIMIT]
    ]
    return MapPage(features_json=features, truncated=len(rows) > MAP_FEATURE_LIMIT)


FEATURE = '{"type": "Feature", "id": %d, "geometry": %s, "properties": %s}'
