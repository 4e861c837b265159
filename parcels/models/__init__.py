from parcels.models.field import (
    MonitoringPlot,
    Parcel,
    Planting,
    Species,
    Stratum,
    SurvivalCount,
    TreeMeasurement,
)

__all__ = [
    "MonitoringPlot",
    "Parcel",
    "Planting",
    "Species",
    "Stratum",
    "SurvivalCount",
    "TreeMeasurement",
]
