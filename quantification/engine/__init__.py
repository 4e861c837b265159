"""Pichanaki carbon engine: pure numerical code (numpy/scipy), no ORM and no database.

Spec: ``docs/carbon-methods.md``. Entry points (details in each module):

- :mod:`.parameters`   ``CarbonParameters`` (frozen, ``fingerprint()``), ``METHOD_VERSION``
- :mod:`.pipeline`     ``TreeTable`` -> ``compute_trees`` -> ``TreeResults``;
                       ``aggregate_plots`` -> ``PlotTotals``; ``estimate_project`` /
                       ``estimate_change`` -> ``ProjectEstimate`` (a package: inputs, per-tree,
                       plots/strata)
- :mod:`.removals`     ``compute_issuance`` -> ``IssuanceResult`` (Decimal tonnes)
- :mod:`.exante`       ``project_exante``, ``exante_credits``; :mod:`.growth`
                       ``chapman_richards``, ``calibrate_growth``
- :mod:`.allometry`, :mod:`.height` (with :mod:`.hd_models`, the local H–D models),
  :mod:`.wood_density`, :mod:`.biomass`, :mod:`.sampling`     the formulas, usable on their own
- :mod:`.uncertainty`  optional Monte Carlo error propagation (§12)
- ``quantification.cli`` (outside the engine) reads files for the ``carbon_trees``/
  ``carbon_estimate`` commands

Nothing here imports Django; warnings and errors are :class:`~.notices.Notice` objects whose
English templates the presentation layer translates.
"""

from .notices import CarbonError, CarbonInputError, Notice, ParameterError, RowError
from .parameters import DEFAULT_PARAMETERS, METHOD_VERSION, CarbonParameters, GrowthCurve

__all__ = [
    "DEFAULT_PARAMETERS",
    "METHOD_VERSION",
    "CarbonError",
    "CarbonInputError",
    "CarbonParameters",
    "GrowthCurve",
    "Notice",
    "ParameterError",
    "RowError",
]
