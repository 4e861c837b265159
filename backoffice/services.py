"""Writes of the back-office: only its rollups, derived from the field data (never edited).

`refresh_panel_rollups` recomputes a project's rows with the same queries the dashboard used to
run on every view; events call it after their commit (receivers.py, tasks.py), and a page that
finds no rollup (a new database, a changed survival threshold) computes it once.
"""

import time
from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import ExtractYear, TruncMonth
from django.utils import timezone

from backoffice.mapcells import rebuild_map_cells
from backoffice.models import CooperativeRollup, ProjectRollup
from backoffice.rollup_totals import project_total
from benefits.choices import DistributionStatus, LineStatus, TrustStatus
from benefits.models import DistributionLine, DistributionSale, PaymentEvent, TrustHold
from credits.models import IssuanceContribution
from parcels.choices import ParcelStatus
from parcels.models import MonitoringPlot, Parcel, Planting, SurvivalCount
from quantification.models import CalculationRun, ParcelResult, RunKind, RunStatus
from smallholders.models import Project, Smallholder

COOPERATIVE = "smallholder__cooperative_id"
PARCEL_COOPERATIVE = "parcel__smallholder__cooperative_id"
LINE_COOPERATIVE = "line__smallholder__cooperative_id"
PENDING = (ParcelStatus.DRAFT, ParcelStatus.SUBMITTED)
NEVER = datetime(1970, 1, 1, tzinfo=UTC)


def bump_map_version(*, project_id: int) -> None:
    """Make the project's cached map tiles unreachable: their keys carry this version."""
    cache.set(f"panel-map-version:{project_id}", time.time_ns(), None)


def survival_threshold() -> Decimal:
    return Decimal(str(settings.PANEL_SURVIVAL_THRESHOLD)).quantize(Decimal("0.0001"))


def refresh_panel_rollups(*, project_id: int, requested_at: datetime | None = None) -> bool:
    """Recompute the project's rollups unless a refresh started after `requested_at` (the
    commit that asked for it) already did; True when it wrote.

    Locks the project's rollup stamp row: two refreshes of one project run one after the
    other, and the second finds the work done. Side effects: the project's rollup rows and
    map cells.
    """
    if not Project.objects.filter(pk=project_id).exists():
        return False  # deleted since the request was sent
    # One transaction: the stamp and the rows change together, and the stamp's row lock
    # serialises refreshes of a project (the second finds the work done and returns).
    with transaction.atomic():
        ProjectRollup.objects.get_or_create(
            project_id=project_id,
            defaults={"computed_from": NEVER, "survival_threshold": survival_threshold()},
        )
        stamp = ProjectRollup.objects.select_for_update().get(project_id=project_id)
        fresh = stamp.survival_threshold == survival_threshold()
        if fresh and requested_at is not None and stamp.computed_from >= requested_at:
            _clear_covered_want(stamp)
            return False
        stamp.computed_from = timezone.now()  # before reading: later commits ask again
        stamp.survival_threshold = survival_threshold()
        stamp.refresh_wanted = None  # every commit before computed_from is read below
        rows = compute_rollups(project_id=project_id, threshold=stamp.survival_threshold)
        CooperativeRollup.objects.filter(project_id=project_id).delete()
        CooperativeRollup.objects.bulk_create(
            [*rows, project_total(project_id=project_id, rows=rows)]
        )
        rebuild_map_cells(project_id=project_id)
        stamp.save()
    return True


def _clear_covered_want(stamp: ProjectRollup) -> None:
    """A wanted refresh whose commit the last refresh already read waits no more."""
    if stamp.refresh_wanted is not None and stamp.refresh_wanted <= stamp.computed_from:
        stamp.refresh_wanted = None
        stamp.save(update_fields=["refresh_wanted"])


def want_refresh(*, project_id: int, requested_at: datetime) -> None:
    """Keep a refresh that the commit at `requested_at` asked for and the broker did not take:
    the outbox sweep sends it (backoffice/outboxes.py). A project without rollups needs none
    (its first page computes them)."""
    # Unstamped (dispatched_at None): the sweep sends it within a minute of the broker's return.
    ProjectRollup.objects.filter(project_id=project_id).update(
        refresh_wanted=requested_at, dispatched_at=None
    )


def refresh_wanted_rollups(*, project_id: int) -> bool:
    """Run the refresh kept by `want_refresh` (a duplicate message finds it done)."""
    wanted = (
        ProjectRollup.objects.filter(project_id=project_id)
        .values_list("refresh_wanted", flat=True)
        .first()
    )
    if wanted is None:
        return False
    return refresh_panel_rollups(project_id=project_id, requested_at=wanted)


def compute_rollups(*, project_id: int, threshold: Decimal) -> list[CooperativeRollup]:
    """The project's figures per cooperative, from the field data (unsaved rows)."""
    rows: dict[int, CooperativeRollup] = defaultdict(
        lambda: CooperativeRollup(project_id=project_id)
    )
    families = Smallholder.objects.filter(project_id=project_id)
    for row in families.values("cooperative_id").annotate(n=Count("pk")).order_by():
        rows[row["cooperative_id"]].families = row["n"]
    _parcel_figures(rows, project_id)
    _tree_figures(rows, project_id, threshold)
    _monitoring_figures(rows, project_id)
    _money_figures(rows, project_id)
    _carbon_figures(rows, project_id)
    _credit_figures(rows, project_id)
    _revenue_figures(rows, project_id)
    for cooperative_id, rollup in rows.items():
        rollup.cooperative_id = cooperative_id
    return list(rows.values())


def _parcel_figures(rows: dict[int, CooperativeRollup], project_id: int) -> None:
    validated = Q(status=ParcelStatus.VALIDATED)
    totals = (
        Parcel.objects.filter(project_id=project_id)
        .values(COOPERATIVE)
        .annotate(
            n=Count("pk"),
            validated=Count("pk", filter=validated),
            pending=Count("pk", filter=Q(status__in=PENDING)),
            hectares=Sum("area_ha", filter=validated),
        )
        .order_by()
    )
    for row in totals:
        rollup = rows[row[COOPERATIVE]]
        rollup.parcels, rollup.parcels_validated = row["n"], row["validated"]
        rollup.parcels_pending = row["pending"]
        rollup.hectares_validated = row["hectares"] or Decimal(0)


def _tree_figures(rows: dict[int, CooperativeRollup], project_id: int, threshold: Decimal) -> None:
    plantings = Planting.objects.filter(parcel__project_id=project_id)
    counts = SurvivalCount.objects.filter(planting=OuterRef("pk"))
    last_alive = Subquery(counts.order_by("-counted_on").values("trees_alive")[:1])
    for row in plantings.values(PARCEL_COOPERATIVE).annotate(n=Sum("trees_planted")).order_by():
        rows[row[PARCEL_COOPERATIVE]].trees_planted = row["n"] or 0
    cohorts = (
        plantings.filter(Exists(counts))
        .annotate(year=ExtractYear("planted_on"), alive=last_alive)
        .values(PARCEL_COOPERATIVE, "species_id", "year")
        .annotate(planted=Sum("trees_planted"), alive_total=Sum("alive"))
        .order_by(PARCEL_COOPERATIVE, "species_id", "year")
    )
    for row in cohorts:
        rollup = rows[row[PARCEL_COOPERATIVE]]
        planted, alive = int(row["planted"]), int(row["alive_total"])
        rollup.survival.append([row["species_id"], row["year"], planted, alive])
        rollup.trees_counted += planted
        rollup.trees_alive += alive
    low = (
        plantings.annotate(alive=last_alive)
        .filter(alive__lt=F("trees_planted") * threshold)
        .values(PARCEL_COOPERATIVE)
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in low:
        rows[row[PARCEL_COOPERATIVE]].low_survival_plantings = row["n"]


def _monitoring_figures(rows: dict[int, CooperativeRollup], project_id: int) -> None:
    per_year = (
        MonitoringPlot.objects.filter(parcel__project_id=project_id)
        .annotate(year=ExtractYear("measured_on"))
        .values(PARCEL_COOPERATIVE, "year")
        .annotate(plots=Count("pk"), parcels=Count("parcel", distinct=True))
        .order_by(PARCEL_COOPERATIVE, "year")
    )
    for row in per_year:
        rows[row[PARCEL_COOPERATIVE]].coverage.append([row["year"], row["plots"], row["parcels"]])
    last = MonitoringPlot.objects.filter(parcel=OuterRef("pk")).order_by("-measured_on")
    by_date = (
        Parcel.objects.filter(project_id=project_id, status=ParcelStatus.VALIDATED)
        .annotate(last=Subquery(last.values("measured_on")[:1]))
        .values(COOPERATIVE, "last")
        .annotate(n=Count("pk"))
        .order_by(COOPERATIVE, "last")
    )
    for row in by_date:
        day = row["last"].isoformat() if row["last"] else None
        rows[row[COOPERATIVE]].last_monitored.append([day, row["n"]])


def _money_figures(rows: dict[int, CooperativeRollup], project_id: int) -> None:
    lines = DistributionLine.objects.filter(distribution__project_id=project_id)
    to_pay = Q(status__in=(LineStatus.ACCRUED, LineStatus.APPROVED))
    per_line = lines.values(COOPERATIVE).annotate(
        to_pay=Count("pk", filter=to_pay), held=Count("pk", filter=Q(status=LineStatus.WITHHELD))
    )
    for row in per_line.order_by():
        rollup = rows[row[COOPERATIVE]]
        rollup.lines_to_pay, rollup.lines_held = row["to_pay"], row["held"]
    holds = TrustHold.objects.filter(
        line__distribution__project_id=project_id,
        line__distribution__status=DistributionStatus.APPROVED,
        status=TrustStatus.HELD,
    )
    for row in holds.values(LINE_COOPERATIVE).annotate(s=Sum("amount")).order_by():
        rows[row[LINE_COOPERATIVE]].held_pen = _cents(row["s"])
    paid = PaymentEvent.objects.filter(
        line__distribution__project_id=project_id, status=LineStatus.PAID
    )
    months = (
        paid.annotate(month=TruncMonth("paid_on"))
        .values(LINE_COOPERATIVE, "month")
        .annotate(s=Sum("amount"))
        .order_by(LINE_COOPERATIVE, "month")
    )
    for row in months:
        rollup = rows[row[LINE_COOPERATIVE]]
        rollup.paid_pen += _cents(row["s"])
        rollup.paid_by_month.append([row["month"].isoformat(), str(_cents(row["s"]))])


def _carbon_figures(rows: dict[int, CooperativeRollup], project_id: int) -> None:
    """Net tCO2e of each cooperative's parcels in the latest approved ex-ante run and in the
    approved ex-post runs (the runs' per-parcel results; the project's own figures are the runs'
    totals, read from the few run rows)."""
    approved = CalculationRun.objects.filter(project_id=project_id, status=RunStatus.APPROVED)
    ex_ante = approved.filter(kind=RunKind.EX_ANTE).order_by("-period_end", "-pk")[:1]
    results = ParcelResult.objects.values(PARCEL_COOPERATIVE).order_by()
    for row in results.filter(run__in=ex_ante).annotate(s=Sum("net_tco2e")):
        rows[row[PARCEL_COOPERATIVE]].ex_ante_tco2e = row["s"]
    ex_post = approved.filter(kind=RunKind.EX_POST)
    for row in results.filter(run__in=ex_post).annotate(s=Sum("net_tco2e")):
        rows[row[PARCEL_COOPERATIVE]].verified_tco2e = row["s"] or Decimal(0)


def _credit_figures(rows: dict[int, CooperativeRollup], project_id: int) -> None:
    """Units issued from each cooperative's parcels, and their buffer share, per unit type."""
    issued = (
        IssuanceContribution.objects.filter(issuance__project_id=project_id)
        .values(PARCEL_COOPERATIVE, "issuance__unit_type")
        .annotate(units=Sum("units"), buffer=Sum("buffer_units"))
        .order_by(PARCEL_COOPERATIVE, "issuance__unit_type")
    )
    for row in issued:
        rows[row[PARCEL_COOPERATIVE]].credits[row["issuance__unit_type"]] = [
            int(row["units"]),
            int(row["buffer"]),
        ]


def _revenue_figures(rows: dict[int, CooperativeRollup], project_id: int) -> None:
    """Each cooperative's part of the approved distributions' sales, per currency and month:
    a sale's gross times the cooperative's families' shares over the producers' pool (as
    `benefits.selectors.revenue_rows` attributes it)."""
    approved = Q(distribution__project_id=project_id)
    approved &= Q(distribution__status=DistributionStatus.APPROVED)
    parts: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    shares = (
        DistributionLine.objects.filter(approved)
        .values(COOPERATIVE, "distribution_id", pool=F("distribution__producers_pool"))
        .annotate(shares=Sum("share"))
        .order_by()
    )
    for row in shares:
        if row["pool"]:
            parts[row["distribution_id"]].append((row[COOPERATIVE], row["shares"] / row["pool"]))
    revenue: dict[int, dict[tuple[str, str], Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    sales = DistributionSale.objects.filter(approved).values_list(
        "distribution_id", "distribution__currency", "sale__sold_at", "gross"
    )
    for distribution_id, currency, sold_at, gross in sales.order_by("distribution_id", "pk"):
        month = timezone.localtime(sold_at).date().replace(day=1).isoformat()
        for cooperative_id, part in parts[distribution_id]:
            revenue[cooperative_id][(currency, month)] += gross * part
    for cooperative_id, amounts in revenue.items():
        rows[cooperative_id].revenue = [[c, m, str(a)] for (c, m), a in sorted(amounts.items())]


def _cents(value: Decimal | None) -> Decimal:
    # SQLite sums decimals as floats: back to whole céntimos.
    return (value or Decimal(0)).quantize(Decimal("0.01"))
