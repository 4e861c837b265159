from parcels.models.field import (
    MonitoringPlot,
    Parcel,
    Planting,
    Species,
    Stratum,
    SurvivalCount,
    TreeMeasurement,
)
from parcels.models.imports import ImportJob, ImportKind, ImportStatus

__all__ = [
    "ImportJob",
    "ImportKind",
    "ImportStatus",
    "MonitoringPlot",
    "Parcel",
    "Planting",
    "Species",
    "Stratum",
    "SurvivalCount",
    "TreeMeasurement",
]
