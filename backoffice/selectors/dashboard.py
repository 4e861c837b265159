"""The project dashboard's figures: field data, carbon and credits, for a project or one of its
cooperatives. Field figures come from the rollups (selectors/rollups.py); the others are
aggregates over a project's runs and credit vintages (a few rows each); none scans tree rows.

PER (ex-ante) and VER (verified) units are different things and are never added together.
"""

from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field as default
from datetime import date
from decimal import Decimal

from django.db.models import Sum

from backoffice.selectors.access import PanelView
from backoffice.selectors.rollups import field_rollup
from benefits.selectors import MoneySummary, producers_share, revenue_rows
from credits.selectors import LastLedgerCheck, availability, last_ledger_checks
from quantification.models import RunKind, RunStatus
from quantification.selectors import runs_for
from smallholders.selectors import AnyUser, cooperatives_for

CREDIT_STATES = ("issued", "buffer", "available", "reserved", "held", "retired")


@dataclass(frozen=True)
class FieldFigures:
    families: int
    cooperatives: int
    parcels: int
    parcels_validated: int
    hectares: Decimal
    trees_planted: int
    trees_counted: int
    trees_alive: int

    @property
    def survival(self) -> Decimal | None:
        """Share of trees alive at their cohort's last count (cohorts never counted left out)."""
        if not self.trees_counted:
            return None
        return Decimal(self.trees_alive) / Decimal(self.trees_counted)


@dataclass(frozen=True)
class CarbonFigures:
    ex_ante_tco2e: Decimal | None
    verified_tco2e: Decimal
    approved_ex_post_runs: int


@dataclass(frozen=True)
class Dashboard:
    view: PanelView
    field: FieldFigures
    carbon: CarbonFigures
    # unit type ("PER"/"VER") -> state -> units; a cooperative sees the units its parcels
    # contributed to issuances instead of the registry's counters.
    credits: dict[str, dict[str, int]] = default(default_factory=dict)
    # Revenue, paid to families, held in trust, producers' share (benefit sharing).
    money: MoneySummary | None = None
    # The last scheduled check of each hash-chained ledger (for those who answer for them).
    ledger_checks: list[LastLedgerCheck] = default(default_factory=list)

    @property
    def broken_ledgers(self) -> list[LastLedgerCheck]:
        return [last for last in self.ledger_checks if last.check and not last.check.intact]


def field_figures(*, user: AnyUser, view: PanelView) -> FieldFigures:
    """Families, parcels, hectares and trees, from the view's rollups (kept by events)."""
    figures = field_rollup(user=user, view=view)
    cooperatives = cooperatives_for(user=user).filter(projects=view.project)
    if view.cooperative_id:
        cooperatives = cooperatives.filter(pk=view.cooperative_id)
    return FieldFigures(
        families=figures.families,
        cooperatives=cooperatives.count(),
        parcels=figures.parcels,
        parcels_validated=figures.parcels_validated,
        hectares=figures.hectares_validated.quantize(Decimal("0.01")),
        trees_planted=figures.trees_planted,
        trees_counted=figures.trees_counted,
        trees_alive=figures.trees_alive,
    )


def carbon_figures(*, user: AnyUser, view: PanelView) -> CarbonFigures:
    """The latest approved ex-ante projection against the sum of approved ex-post removals
    (the runs' totals, a few rows).

    A cooperative's share is the sum of its parcels' net contributions in those same runs,
    kept in its rollup (refreshed when a run is approved).
    """
    approved = runs_for(user=user).filter(project=view.project, status=RunStatus.APPROVED)
    ex_post = approved.filter(kind=RunKind.EX_POST)
    if view.cooperative_id is not None:
        figures = field_rollup(user=user, view=view)
        return CarbonFigures(
            ex_ante_tco2e=figures.ex_ante_tco2e,
            verified_tco2e=figures.verified_tco2e,
            approved_ex_post_runs=ex_post.count(),
        )
    # One column of the latest projection, not the run row (its details can be large).
    ex_ante = (
        approved.filter(kind=RunKind.EX_ANTE)
        .order_by("-period_end", "-pk")
        .values_list("net_tco2e", flat=True)
        .first()
    )
    return CarbonFigures(
        ex_ante_tco2e=ex_ante,
        verified_tco2e=ex_post.aggregate(total=Sum("net_tco2e"))["total"] or Decimal(0),
        approved_ex_post_runs=ex_post.count(),
    )


def credit_figures(*, user: AnyUser, view: PanelView) -> dict[str, dict[str, int]]:
    """The registry's counters per unit type and state (the project's vintage rows); a
    cooperative sees the units its parcels contributed to issuances (from its rollup)."""
    if view.cooperative_id is not None:
        issued = field_rollup(user=user, view=view).credits
        return {
            unit_type: {"issued": issued[unit_type][0], "buffer": issued[unit_type][1]}
            for unit_type in sorted(issued)
        }
    sums = {state: Sum(state) for state in CREDIT_STATES}
    rows = availability(project_id=view.project.pk).select_related(None).values("unit_type")
    return {
        row["unit_type"]: {state: row[state] or 0 for state in CREDIT_STATES}
        for row in rows.order_by().annotate(**sums).order_by("unit_type")
    }


def revenue_by_month(*, user: AnyUser, view: PanelView) -> dict[tuple[str, date], Decimal]:
    """(currency, month) -> revenue: the project's confirmed sales (a few rows), or the
    cooperative's part of the distributed ones (from its rollup)."""
    if view.cooperative_id is not None:
        return dict(field_rollup(user=user, view=view).revenue)
    revenue: dict[tuple[str, date], Decimal] = defaultdict(Decimal)
    for currency, month, amount in revenue_rows(view.project):
        revenue[(currency, month)] += amount
    return revenue


def money_figures(*, user: AnyUser, view: PanelView) -> MoneySummary:
    """Revenue from the project's sales (a few rows); paid and held from the rollups."""
    revenue: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for (currency, _month), amount in revenue_by_month(user=user, view=view).items():
        revenue[currency] += amount
    figures = field_rollup(user=user, view=view)
    return MoneySummary(
        revenue={k: v.quantize(Decimal("0.01")) for k, v in sorted(revenue.items())},
        paid_pen=figures.paid_pen,
        held_pen=figures.held_pen,
        producers_share=producers_share(view.project),
    )


def dashboard(*, user: AnyUser, view: PanelView) -> Dashboard:
    return Dashboard(
        view=view,
        field=field_figures(user=user, view=view),
        carbon=carbon_figures(user=user, view=view),
        credits=credit_figures(user=user, view=view),
        money=money_figures(user=user, view=view),
        ledger_checks=last_ledger_checks(user=user, project_id=view.project.pk),
    )
