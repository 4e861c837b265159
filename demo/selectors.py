"""Reads about the demo project, for the commands' reports and the tests."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum

from credits.choices import UnitType
from credits.models import CreditVintage, Retirement, Sale
from parcels.models import MonitoringPlot, Parcel, Planting, TreeMeasurement
from quantification.models import CalculationRun, RunStatus
from smallholders.models import Project


@dataclass(frozen=True)
class DemoSummary:
    """Counts of what the demo project holds."""

    cooperatives: int
    smallholders: int
    parcels: int
    hectares: Decimal
    plantings: int
    trees_planted: int
    native_share: float
    plot_visits: int
    tree_measurements: int


def demo_summary(project: Project) -> DemoSummary:
    parcels = Parcel.objects.filter(project=project)
    trees = Planting.objects.filter(parcel__project=project).aggregate(
        total=Sum("trees_planted"),
        native=Sum("trees_planted", filter=Q(species__native_to_peru=True)),
        count=Count("pk"),
    )
    total = trees["total"] or 0
    return DemoSummary(
        cooperatives=project.cooperatives.count(),
        smallholders=project.smallholders.count(),
        parcels=parcels.count(),
        hectares=parcels.aggregate(ha=Sum("area_ha"))["ha"] or Decimal(0),
        plantings=trees["count"],
        trees_planted=total,
        native_share=(trees["native"] or 0) / total if total else 0.0,
        plot_visits=MonitoringPlot.objects.filter(parcel__project=project).count(),
        tree_measurements=TreeMeasurement.objects.filter(plot__parcel__project=project).count(),
    )


@dataclass(frozen=True)
class RegistrySummary:
    """The demo project's approved runs and credit ledger, in whole tCO2e units."""

    approved_runs: int
    verified_issued: int
    ex_ante_issued: int
    ex_ante_available: int
    buffer: int
    sold: int
    retired: int


def registry_summary(project: Project) -> RegistrySummary:
    vintages = CreditVintage.objects.filter(project=project)
    verified = vintages.filter(unit_type=UnitType.VERIFIED).aggregate(
        issued=Sum("issued"), buffer=Sum("buffer"), retired=Sum("retired")
    )
    ex_ante = vintages.filter(unit_type=UnitType.EX_ANTE).aggregate(
        issued=Sum("issued"), available=Sum("available"), buffer=Sum("buffer")
    )
    sold = Sale.objects.filter(reservation__project=project).aggregate(q=Sum("quantity"))["q"]
    return RegistrySummary(
        approved_runs=CalculationRun.objects.filter(
            project=project, status=RunStatus.APPROVED
        ).count(),
        verified_issued=verified["issued"] or 0,
        ex_ante_issued=ex_ante["issued"] or 0,
        ex_ante_available=ex_ante["available"] or 0,
        buffer=(verified["buffer"] or 0) + (ex_ante["buffer"] or 0),
        sold=sold or 0,
        retired=Retirement.objects.filter(project=project).aggregate(q=Sum("quantity"))["q"] or 0,
    )
