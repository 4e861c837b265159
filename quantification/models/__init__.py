"""Carbon calculations: versioned parameter sets, calculation runs (:mod:`.runs`) and their
stored results (:mod:`.results`). ``quantification.models`` exports every model."""

from quantification.models.results import (
    ParcelBasis,
    ParcelResult,
    ParcelVintage,
    PlotResult,
    StratumResult,
    TreeResult,
)
from quantification.models.runs import CalculationRun, ParameterSet, RunKind, RunStatus, RunVintage

__all__ = [
    "CalculationRun",
    "ParameterSet",
    "ParcelBasis",
    "ParcelResult",
    "ParcelVintage",
    "PlotResult",
    "RunKind",
    "RunStatus",
    "RunVintage",
    "StratumResult",
    "TreeResult",
]
