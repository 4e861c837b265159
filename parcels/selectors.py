"""Reads of field data, scoped through `smallholders.selectors` (404 outside a person's scope).

`*_for(user=...)` are the querysets a person may list; `access_*` fetch one object or raise
Http404, so another cooperative's ids leak nothing.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import NamedTuple, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Max, Model, QuerySet, Sum
from django.http import Http404

from parcels.models import (
    MonitoringPlot,
    Parcel,
    Planting,
    Species,
    Stratum,
    SurvivalCount,
    TreeMeasurement,
)
from parcels.validation import SpeciesIndex
from smallholders.selectors import AnyUser, projects_for, scope_field_data, scope_for


def parcels_for(*, user: AnyUser) -> QuerySet[Parcel]:
    queryset = Parcel.objects.select_related(
        "project", "smallholder", "smallholder__cooperative", "stratum"
    )
    return scope_field_data(
        queryset,
        user=user,
        project_path="project_id",
        cooperative_path="smallholder__cooperative_id",
    )


def plantings_for(*, user: AnyUser) -> QuerySet[Planting]:
    queryset = Planting.objects.select_related("parcel", "species", "replanting_of")
    return scope_field_data(
        queryset,
        user=user,
        project_path="parcel__project_id",
        cooperative_path="parcel__smallholder__cooperative_id",
    )


def survival_counts_for(*, user: AnyUser) -> QuerySet[SurvivalCount]:
    queryset = SurvivalCount.objects.select_related("planting", "planting__parcel")
    return scope_field_data(
        queryset,
        user=user,
        project_path="planting__parcel__project_id",
        cooperative_path="planting__parcel__smallholder__cooperative_id",
    )


def plots_for(*, user: AnyUser) -> QuerySet[MonitoringPlot]:
    queryset = MonitoringPlot.objects.select_related("parcel")
    return scope_field_data(
        queryset,
        user=user,
        project_path="parcel__project_id",
        cooperative_path="parcel__smallholder__cooperative_id",
    )


def tree_measurements_for(*, user: AnyUser) -> QuerySet[TreeMeasurement]:
    queryset = TreeMeasurement.objects.select_related("plot", "plot__parcel", "species")
    return scope_field_data(
        queryset,
        user=user,
        project_path="plot__parcel__project_id",
        cooperative_path="plot__parcel__smallholder__cooperative_id",
    )


def strata_for(*, user: AnyUser) -> QuerySet[Stratum]:
    return Stratum.objects.select_related("project").filter(
        project_id__in=projects_for(user=user).values("pk")
    )


def species_for(*, user: AnyUser) -> QuerySet[Species]:
    """The catalogue is shared: every person with a role (or superuser) reads it."""
    scope = scope_for(user)
    if scope.is_superuser or scope.role is not None:
        return Species.objects.all()
    return Species.objects.none()


_M = TypeVar("_M", bound=Model)


def _get(queryset: QuerySet[_M], pk: object, for_update: bool) -> _M:
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):  # the model's DoesNotExist
        raise Http404 from None


def access_parcel(*, user: AnyUser, parcel_id: int, for_update: bool = False) -> Parcel:
    return _get(parcels_for(user=user), parcel_id, for_update)


def access_planting(*, user: AnyUser, planting_id: int, for_update: bool = False) -> Planting:
    return _get(plantings_for(user=user), planting_id, for_update)


def access_survival_count(
    *, user: AnyUser, survival_count_id: int, for_update: bool = False
) -> SurvivalCount:
    return _get(survival_counts_for(user=user), survival_count_id, for_update)


def access_plot(*, user: AnyUser, plot_id: int, for_update: bool = False) -> MonitoringPlot:
    return _get(plots_for(user=user), plot_id, for_update)


def access_tree_measurement(
    *, user: AnyUser, tree_measurement_id: int, for_update: bool = False
) -> TreeMeasurement:
    return _get(tree_measurements_for(user=user), tree_measurement_id, for_update)


def access_stratum(*, user: AnyUser, stratum_id: int) -> Stratum:
    return _get(strata_for(user=user), stratum_id, False)


class ParcelFacts(NamedTuple):
    """What benefit sharing needs to know of a parcel: its size, trees and last monitoring
    (a tuple: a distribution reads the facts of tens of thousands of parcels)."""

    parcel_id: int
    code: str
    area_ha: Decimal
    trees_planted: int
    trees_alive: int | None  # at each planting's latest survival count; None: never counted
    last_monitored_on: dt.date | None  # latest survival count or plot visit

    @property
    def survival(self) -> Decimal | None:
        if self.trees_alive is None or not self.trees_planted:
            return None
        return Decimal(self.trees_alive) / Decimal(self.trees_planted)


def parcel_facts(
    *, parcel_ids: Iterable[int] | None = None, project_id: int | None = None
) -> dict[int, ParcelFacts]:
    """Facts per parcel in four queries, whatever the number of parcels (no personal data):
    of the given parcels, or of every parcel of a project (no long id list in the SQL)."""
    ids: list[int] | QuerySet[Parcel, Mapping[str, object]]
    if parcel_ids is not None:
        ids = list(parcel_ids)
    elif project_id is not None:
        ids = Parcel.objects.filter(project_id=project_id).values("pk")
    else:
        raise TypeError("parcel_facts needs parcel_ids or project_id")
    planted: dict[int, int] = dict(
        Planting.objects.filter(parcel_id__in=ids)
        .values("parcel_id")
        .annotate(n=Sum("trees_planted"))
        .values_list("parcel_id", "n")
    )
    alive: dict[int, int] = {}
    counted: dict[int, dt.date] = {}
    latest = SurvivalCount.objects.filter(planting__parcel_id__in=ids).order_by(
        "planting_id", "-counted_on"
    )
    seen: set[int] = set()
    for planting_id, parcel_id, day, trees in latest.values_list(
        "planting_id", "planting__parcel_id", "counted_on", "trees_alive"
    ):
        if planting_id not in seen:
            seen.add(planting_id)
            alive[parcel_id] = alive.get(parcel_id, 0) + trees
            counted[parcel_id] = max(day, counted.get(parcel_id, day))
    visited = dict(
        MonitoringPlot.objects.filter(parcel_id__in=ids)
        .values("parcel_id")
        .annotate(last=Max("measured_on"))
        .values_list("parcel_id", "last")
    )
    facts = {}
    for pk, code, area in Parcel.objects.filter(pk__in=ids).values_list("pk", "code", "area_ha"):
        days = [d for d in (counted.get(pk), visited.get(pk)) if d is not None]
        facts[pk] = ParcelFacts(pk, code, area, planted.get(pk, 0), alive.get(pk),
                                max(days) if days else None)  # fmt: skip
    return facts


def species_index() -> SpeciesIndex:
    """A SpeciesIndex of the whole catalogue (one query)."""
    rows = Species.objects.values_list(
        "pk", "scientific_name", "code", "common_name_es", "common_name_en", "local_names"
    )
    return SpeciesIndex.build(
        (pk, scientific, (code, common_es, common_en, *local.split(",")))
        for pk, scientific, code, common_es, common_en, local in rows
    )
