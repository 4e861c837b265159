"""Reads about the demo project, for the commands' reports and the tests."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum

from parcels.models import MonitoringPlot, Parcel, Planting, TreeMeasurement
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
