"""What a calculation run includes, and whether the project is ready for one (before it starts).

A run includes the project's **validated** parcels only: drafts, submitted and rejected
parcels have not been checked by a manager yet (or were refused), so they are left out and
counted on the run page (`parcel_scope`). `readiness_problems` lists everything that would
make a run fail or conflict, each as a `Notice` (code, English template, parameters) so the
admin form and the API show the same translated message naming the parcels or strata:

- no validated parcel at all;
- ex post: validated parcels without a stratum (the stratified estimate needs one);
- ex post: strata with fewer than `MIN_PLOTS` plots measured in the period (no standard error
  can be computed from one plot, carbon-methods §7);
- an approved run of the same kind already covering part of the period (approval would be
  refused anyway; better said before the computation than after it).

Reads only; `services.start_calculation_run` raises `RunNotReady` when the list is not empty.
"""

from datetime import date

from django.db.models import Count
from django.utils.translation import gettext_noop

from parcels.choices import ParcelStatus
from parcels.models import MonitoringPlot, Parcel
from quantification.engine.notices import Notice
from quantification.models import CalculationRun, RunKind, RunStatus

MIN_PLOTS = 2
NAMED = 10  # at most this many parcel codes in one message, then "and N more"
INCLUDED_STATUSES = (ParcelStatus.VALIDATED,)


def included_parcels(project_id: int):
    """The parcels a run of the project computes: validated ones."""
    return Parcel.objects.filter(project_id=project_id, status__in=INCLUDED_STATUSES)


def parcel_scope(project_id: int) -> dict:
    """{"included": n, "excluded": {status: n}} of the project's parcels, for the run page."""
    counts = Parcel.objects.filter(project_id=project_id).values("status").annotate(n=Count("pk"))
    by_status = {row["status"]: row["n"] for row in counts}
    included = sum(by_status.pop(s, 0) for s in INCLUDED_STATUSES)
    return {"included": included, "excluded": dict(sorted(by_status.items()))}


def readiness_problems(
    *, project_id: int, kind: str, period_start: date, period_end: date
) -> list[Notice]:
    """Every reason a run of `kind` over the period cannot start now (empty: ready)."""
    parcels = included_parcels(project_id)
    if not parcels.exists():
        return [_no_parcels(project_id)]
    problems = []
    if kind == RunKind.EX_POST:
        problems += _without_stratum(parcels)
        problems += _thin_strata(parcels, period_start, period_end)
    problems += _overlaps(project_id, kind, period_start, period_end)
    return problems


def _no_parcels(project_id: int) -> Notice:
    excluded = sum(parcel_scope(project_id)["excluded"].values())
    return Notice(
        "readiness.no_validated_parcels",
        gettext_noop(
            "the project has no validated parcel (%(excluded)d parcels are drafts, submitted "
            "or rejected): validate the parcels that are ready, then start the run"
        ),
        {"excluded": excluded},
    )


def _without_stratum(parcels) -> list[Notice]:
    codes = list(
        parcels.filter(stratum__isnull=True).order_by("code").values_list("code", flat=True)
    )
    if not codes:
        return []
    return [
        Notice(
            "readiness.parcels_without_stratum",
            gettext_noop(
                "%(n)d validated parcels have no stratum (%(parcels)s): assign each a stratum "
                "before an ex-post run"
            ),
            {"n": len(codes), "parcels": _listing(codes)},
        )
    ]


def _thin_strata(parcels, start: date, end: date) -> list[Notice]:
    """Strata of the included parcels with fewer than MIN_PLOTS plots measured in the period
    (a plot is a parcel's plot code, however many visits it had)."""
    strata = {
        row["stratum_id"]: row["stratum__code"]
        for row in parcels.filter(stratum__isnull=False).values("stratum_id", "stratum__code")
    }
    visits = MonitoringPlot.objects.filter(
        parcel__in=parcels, measured_on__gte=start, measured_on__lte=end
    ).values_list("parcel__stratum_id", "parcel_id", "code")
    plots: dict[int, set] = {stratum_id: set() for stratum_id in strata}
    for stratum_id, parcel_id, code in visits:
        if stratum_id is not None:
            plots[stratum_id].add((parcel_id, code))
    return [
        Notice(
            "readiness.stratum_too_few_plots",
            gettext_noop(
                "stratum %(stratum)s has %(n)d plots measured between %(start)s and %(end)s; at "
                "least %(min)d are needed: measure more plots or merge the stratum"
            ),
            {
                "stratum": strata[stratum_id],
                "n": len(plots[stratum_id]),
                "min": MIN_PLOTS,
                "start": start.isoformat(),
                "end": end.isoformat(),
            },
        )
        for stratum_id in sorted(strata, key=lambda s: strata[s])
        if len(plots[stratum_id]) < MIN_PLOTS
    ]


def _overlaps(project_id: int, kind: str, start: date, end: date) -> list[Notice]:
    approved = CalculationRun.objects.filter(
        project_id=project_id,
        kind=kind,
        status=RunStatus.APPROVED,
        period_start__lte=end,
        period_end__gte=start,
    ).order_by("period_start")
    return [
        Notice(
            "readiness.overlaps_approved_run",
            gettext_noop(
                "approved run #%(run)d already covers %(start)s – %(end)s: choose a period that "
                "starts after it"
            ),
            {
                "run": run.pk,
                "start": run.period_start.isoformat(),
                "end": run.period_end.isoformat(),
            },
        )
        for run in approved
    ]


def _listing(codes: list[str]) -> str:
    shown = ", ".join(codes[:NAMED])
    more = len(codes) - NAMED
    return f"{shown} (+{more})" if more > 0 else shown
