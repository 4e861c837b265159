"""The vectorised entry points: trees -> per-tree results -> plots -> strata -> project.

``compute_trees`` takes a :class:`TreeTable` (numpy columns; text columns as
:class:`Categorical` codes) and returns :class:`TreeResults` with one value per row. Work that
depends on the species (taxonomy, wood density lookup, equation choice) runs once per distinct
name; everything per row is numpy arithmetic, so a million rows take well under a second.

A row is one stem. Rows sharing a ``stem_of`` label are the stems of one multi-stem tree: each
stem gets its own AGB (with the tree's height when the stem has none) and
:func:`tree_totals` sums them (§3.5).

Modules: :mod:`.inputs` (the input tables and their row checks), :mod:`.trees` (per-tree
results), :mod:`.plots` (plots, strata and the project estimate). Their public names are the
pipeline's API and are exported here.
"""

from .inputs import (
    STATUS_ALIASES,
    STATUS_ALIVE,
    STATUS_CUT,
    STATUS_DEAD,
    STATUS_MISSING,
    STATUSES,
    Categorical,
    TreeTable,
    validate_trees,
)
from .plots import (
    PlotTable,
    PlotTotals,
    StrataTable,
    aggregate_plots,
    estimate_change,
    estimate_project,
)
from .trees import TreeResults, compute_trees, tree_totals

__all__ = [
    "STATUSES",
    "STATUS_ALIASES",
    "STATUS_ALIVE",
    "STATUS_CUT",
    "STATUS_DEAD",
    "STATUS_MISSING",
    "Categorical",
    "PlotTable",
    "PlotTotals",
    "StrataTable",
    "TreeResults",
    "TreeTable",
    "aggregate_plots",
    "compute_trees",
    "estimate_change",
    "estimate_project",
    "tree_totals",
    "validate_trees",
]
