"""Field data (:mod:`.field`, :mod:`.plantings`, :mod:`.monitoring`) and import jobs; every
model is exported here."""

from parcels.models.field import Parcel, Species, Stratum
from parcels.models.imports import ImportJob, ImportKind, ImportStatus
from parcels.models.monitoring import MonitoringPlot, TreeMeasurement
from parcels.models.plantings import Planting, SurvivalCount

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
