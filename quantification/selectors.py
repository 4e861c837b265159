"""Reads of parameter sets, runs and results, always scoped through `smallholders.selectors`."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from quantification.models import (
    CalculationRun,
    ParameterSet,
    ParcelResult,
    RunKind,
    RunStatus,
    RunVintage,
)
from smallholders.selectors import AnyUser, projects_for, scope_for


def runs_for(*, user: AnyUser) -> QuerySet[CalculationRun]:
    projects = projects_for(user=user).values("pk")
    return CalculationRun.objects.filter(project_id__in=projects).select_related(
        "project", "parameter_set", "started_by", "reviewed_by"
    )


def access_run(*, user: AnyUser, run_id: int) -> CalculationRun:
    try:
        return runs_for(user=user).get(pk=run_id)
    except (CalculationRun.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def parameter_sets_for(*, user: AnyUser) -> QuerySet[ParameterSet]:
    projects = projects_for(user=user).values("pk")
    return ParameterSet.objects.filter(project_id__in=projects).select_related(
        "project", "created_by"
    )


def access_parameter_set(*, user: AnyUser, parameter_set_id: int) -> ParameterSet:
    try:
        return parameter_sets_for(user=user).get(pk=parameter_set_id)
    except (ParameterSet.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_start_runs(*, user: AnyUser, project_id: int) -> bool:
    """Managers of the project (and superusers) start runs and create parameter versions."""
    scope = scope_for(user)
    return scope.is_superuser or (scope.manages and project_id in scope.project_ids)


def can_review_runs(*, user: AnyUser, project_id: int) -> bool:
    """Verifiers (any project) and the project's managers approve or reject runs."""
    scope = scope_for(user)
    if scope.is_superuser or scope.role == "verifier":
        return True
    return scope.approves and project_id in scope.project_ids


def latest_parameter_set(*, project_id: int) -> ParameterSet | None:
    return ParameterSet.objects.filter(project_id=project_id).order_by("-version").first()


def previous_verified_run(
    *, project_id: int, before: object, exclude_id: int | None = None
) -> CalculationRun | None:
    """The last approved ex-post run ending on or before `before`: its stock is C(t1)."""
    runs = CalculationRun.objects.filter(
        project_id=project_id,
        kind=RunKind.EX_POST,
        status=RunStatus.APPROVED,
        period_end__lte=before,
    )
    if exclude_id is not None:
        runs = runs.exclude(pk=exclude_id)
    return runs.order_by("-period_end", "-pk").first()


def parcel_results(*, run: CalculationRun) -> QuerySet[ParcelResult]:
    # without the boundaries, which are not shown: the page sorts every result of the run
    rows = run.parcels.select_related("parcel", "stratum").defer("parcel__boundary")
    return rows.order_by("parcel__code")


def parcel_issuance(*, run: CalculationRun) -> dict[int, dict[int, int]]:
    """{parcel_id: {vintage year: issuable whole tonnes}} of an approved run (for credits)."""
    if run.status != RunStatus.APPROVED:
        return {}
    table: dict[int, dict[int, int]] = {}
    rows = run.parcel_vintages.values_list("parcel_id", "year", "issuable_tco2e")
    for parcel_id, year, tonnes in rows.order_by("parcel_id", "year"):
        table.setdefault(parcel_id, {})[year] = tonnes
    return table


def run_vintages(*, run_ids: QuerySet[Any, Any] | list[int]) -> QuerySet[RunVintage]:
    """The per-year net removals of the given runs (ids or a values("pk") subquery), by year."""
    return RunVintage.objects.filter(run_id__in=run_ids).order_by("year")
