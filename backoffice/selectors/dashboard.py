"""The project dashboard's figures: field data, carbon and credits, for a project or one of its
cooperatives. Each figure is one aggregate query over indexed columns; none scans tree rows.

PER (ex-ante) and VER (verified) units are different things and are never added together.
"""

from dataclasses import dataclass
from dataclasses import field as default
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum

from backoffice.selectors.access import PanelView
from benefits.selectors import MoneySummary, money_summary
from credits.selectors import availability, contributions_for
from parcels.choices import ParcelStatus
from parcels.models import SurvivalCount
from parcels.selectors import parcels_for, plantings_for
from quantification.models import RunKind, RunStatus
from quantification.selectors import runs_for
from smallholders.selectors import AnyUser, cooperatives_for, smallholders_for

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


def field_figures(*, user: AnyUser, view: PanelView) -> FieldFigures:
    parcels = parcels_for(user=user).filter(project=view.project)
    families = smallholders_for(user=user).filter(project=view.project)
    if view.cooperative_id:
        parcels = parcels.filter(smallholder__cooperative_id=view.cooperative_id)
        families = families.filter(cooperative_id=view.cooperative_id)
    totals = parcels.aggregate(
        n=Count("pk"),
        validated=Count("pk", filter=Q(status=ParcelStatus.VALIDATED)),
        hectares=Sum("area_ha", filter=Q(status=ParcelStatus.VALIDATED)),
    )
    counts = SurvivalCount.objects.filter(planting=OuterRef("pk"))
    last_alive = counts.order_by("-counted_on").values("trees_alive")[:1]
    plantings = plantings_for(user=user).filter(parcel__in=parcels.values("pk"))
    counted = plantings.filter(Exists(counts))
    trees = {
        "planted": plantings.aggregate(n=Sum("trees_planted"))["n"],
        "counted": counted.aggregate(n=Sum("trees_planted"))["n"],
        "alive": counted.annotate(alive=Subquery(last_alive)).aggregate(n=Sum("alive"))["n"],
    }
    cooperatives = cooperatives_for(user=user).filter(projects=view.project)
    if view.cooperative_id:
        cooperatives = cooperatives.filter(pk=view.cooperative_id)
    return FieldFigures(
        families=families.count(),
        cooperatives=cooperatives.count(),
        parcels=totals["n"],
        parcels_validated=totals["validated"],
        hectares=(totals["hectares"] or Decimal(0)).quantize(Decimal("0.01")),
        trees_planted=trees["planted"] or 0,
        trees_counted=trees["counted"] or 0,
        trees_alive=trees["alive"] or 0,
    )


def carbon_figures(*, user: AnyUser, view: PanelView) -> CarbonFigures:
    """The latest approved ex-ante projection against the sum of approved ex-post removals.

    A cooperative's share is the sum of its parcels' net contributions in those same runs.
    """
    approved = runs_for(user=user).filter(project=view.project, status=RunStatus.APPROVED)
    # Two columns of the latest projection, not the run row (its details can be large).
    ex_ante = (
        approved.filter(kind=RunKind.EX_ANTE)
        .order_by("-period_end", "-pk")
        .values("pk", "net_tco2e")
        .first()
    )
    ex_post = approved.filter(kind=RunKind.EX_POST)
    if view.cooperative_id is None:
        verified = ex_post.aggregate(total=Sum("net_tco2e"))["total"]
        ante = ex_ante["net_tco2e"] if ex_ante else None
    else:
        mine = Q(parcels__parcel__smallholder__cooperative_id=view.cooperative_id)
        verified = ex_post.aggregate(total=Sum("parcels__net_tco2e", filter=mine))["total"]
        ante = None
        if ex_ante is not None:
            ante = approved.filter(pk=ex_ante["pk"]).aggregate(
                total=Sum("parcels__net_tco2e", filter=mine)
            )["total"]
    return CarbonFigures(
        ex_ante_tco2e=ante,
        verified_tco2e=verified or Decimal(0),
        approved_ex_post_runs=ex_post.count(),
    )


def credit_figures(*, user: AnyUser, view: PanelView) -> dict[str, dict[str, int]]:
    if view.cooperative_id is not None:
        return _cooperative_credits(user=user, view=view)
    sums = {state: Sum(state) for state in CREDIT_STATES}
    rows = availability(project_id=view.project.pk).select_related(None).values("unit_type")
    return {
        row["unit_type"]: {state: row[state] or 0 for state in CREDIT_STATES}
        for row in rows.order_by().annotate(**sums).order_by("unit_type")
    }


def _cooperative_credits(*, user: AnyUser, view: PanelView) -> dict[str, dict[str, int]]:
    rows = (
        contributions_for(user=user)
        .filter(issuance__project=view.project, parcel__smallholder__cooperative=view.cooperative)
        .values("issuance__unit_type")
        .annotate(units=Sum("units"), buffer=Sum("buffer_units"))
        .order_by("issuance__unit_type")
    )
    return {
        row["issuance__unit_type"]: {"issued": row["units"], "buffer": row["buffer"]}
        for row in rows
    }


def dashboard(*, user: AnyUser, view: PanelView) -> Dashboard:
    return Dashboard(
        view=view,
        field=field_figures(user=user, view=view),
        carbon=carbon_figures(user=user, view=view),
        credits=credit_figures(user=user, view=view),
        money=money_summary(project=view.project, cooperative=view.cooperative),
    )
