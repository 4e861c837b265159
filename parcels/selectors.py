"""Reads of field data, scoped through `smallholders.selectors` (404 outside a person's scope).

`*_for(user=...)` are the querysets a person may list; `access_*` fetch one object or raise
Http404, so another cooperative's ids leak nothing.
"""

from django.db.models import Model, QuerySet
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


def _get(queryset: QuerySet, pk: object, for_update: bool) -> Model:
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
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
