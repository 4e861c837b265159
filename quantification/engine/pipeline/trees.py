"""Per-tree results: wood density, height, AGB (raw and credited), BGB, carbon and CO2e of
every row (:func:`compute_trees`), and per-tree sums of multi-stem rows (:func:`tree_totals`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from .. import allometry, biomass, hd_models, height, reference, taxonomy
from ..notices import Notice, RowError, gettext_noop
from ..parameters import DEFAULT_PARAMETERS, METHOD_VERSION, CarbonParameters
from ..wood_density import LEVELS, WoodDensityTable, assign_wood_density, load_table
from .inputs import (
    STATUS_ALIVE,
    STATUSES,
    Categorical,
    TreeTable,
    raise_if_errors,
    status_codes,
    validate_trees,
)


@dataclass(frozen=True)
class TreeResults:
    """One value per input row, plus what is needed to trace it (fingerprint, method version,
    reference-data digests, fitted height models, warnings)."""

    taxon: Categorical
    growth_form: Categorical
    wood_density: np.ndarray
    wood_density_sd: np.ndarray
    wood_density_level: Categorical
    height_m: np.ndarray
    height_source: Categorical
    equation: Categorical
    agb_kg_raw: np.ndarray
    agb_kg: np.ndarray
    bgb_kg: np.ndarray
    carbon_kg: np.ndarray
    co2e_kg: np.ndarray
    flags: np.ndarray
    alive: np.ndarray
    warnings: tuple[Notice, ...]
    height_models: tuple[hd_models.HDModel, ...]
    parameters_fingerprint: str
    reference_data: Mapping[str, str]
    method_version: str = METHOD_VERSION

    def __len__(self) -> int:
        return int(self.agb_kg.shape[0])

    def flag_names(self, row: int) -> tuple[str, ...]:
        return allometry.describe_flags(int(self.flags[row]))

    def flag_counts(self) -> dict[str, int]:
        """How many rows carry each flag."""
        return {
            name: int(np.count_nonzero(self.flags & bit))
            for bit, name in allometry.FLAG_NAMES.items()
        }


def compute_trees(
    trees: TreeTable,
    params: CarbonParameters = DEFAULT_PARAMETERS,
    *,
    line_offset: int = 0,
) -> TreeResults:
    """Wood density, height, AGB (raw and credited), BGB, carbon and CO2e of every row.

    Raises :class:`CarbonInputError` listing every bad row (``line`` = row index +
    ``line_offset``) and every row whose biomass cannot be computed (e.g. an equation that
    needs a height with ``height_method="measured"``).
    """
    raise_if_errors(validate_trees(trees, line_offset=line_offset))
    alive = _alive(trees)
    taxa, taxon_codes = _taxa(trees, params)
    forms = Categorical(taxon_codes, tuple(t.growth_form for t in taxa))
    eq = _equations(taxa, taxon_codes, params)
    specs = [allometry.EQUATIONS.get(label) for label in eq.labels]
    applicable = _per_code(eq, [s is not None for s in specs])
    table = load_table(params.wood_density_table, params.wood_density_region)
    wd = assign_wood_density(
        taxa,
        taxon_codes,
        table=table,
        given=trees.wood_density,
        plot_codes=None if trees.plot is None else trees.plot.codes,
        applicable=applicable,
        local_values=params.local_wood_density,
    )
    heights = _heights(trees, params, alive, eq, specs)
    raw = allometry.agb_by_equation(
        eq.codes, eq.labels, trees.dbh_cm, heights.height_m, wd.wd, params.e_index
    )
    raise_if_errors(_uncomputable(raw, alive & applicable, eq, heights, line_offset))
    credited = _credited(raw, trees, params, alive & applicable, eq, specs)
    flags = _flags(trees, params, wd.wd, heights, raw, alive, applicable, eq, specs)
    bgb = biomass.bgb_from_ratio(credited, params.root_shoot_ratio)
    carbon = biomass.carbon(credited, bgb, params.carbon_fraction)
    return TreeResults(
        taxon=Categorical(taxon_codes, tuple(t.label for t in taxa)),
        growth_form=forms,
        wood_density=wd.wd,
        wood_density_sd=wd.sd,
        wood_density_level=Categorical(wd.level_codes.astype(np.int32), LEVELS),
        height_m=heights.height_m,
        height_source=Categorical(heights.source_codes.astype(np.int32), heights.source_labels),
        equation=eq,
        agb_kg_raw=raw,
        agb_kg=credited,
        bgb_kg=bgb,
        carbon_kg=carbon,
        co2e_kg=biomass.co2e(carbon),
        flags=flags,
        alive=alive,
        warnings=(*wd.warnings, *heights.warnings, *_flag_warnings(flags)),
        height_models=heights.models,
        parameters_fingerprint=params.fingerprint(),
        reference_data=_reference_data(table),
    )


def _alive(trees: TreeTable) -> np.ndarray:
    alive: np.ndarray = status_codes(trees) == STATUSES.index(STATUS_ALIVE)
    return alive


def _taxa(trees: TreeTable, params: CarbonParameters) -> tuple[list[taxonomy.Taxon], np.ndarray]:
    """Distinct (species, family) pairs resolved once; returns taxa and a code per row."""
    if trees.family is None:
        names = [(label, "") for label in trees.species.labels]
        codes = trees.species.codes
    else:
        pair = trees.species.codes.astype(np.int64) * len(trees.family.labels) + trees.family.codes
        unique, codes = np.unique(pair, return_inverse=True)
        n_fam = len(trees.family.labels)
        names = [
            (trees.species.labels[p // n_fam], trees.family.labels[p % n_fam])
            for p in unique.tolist()
        ]
    taxa = [taxonomy.resolve(s, f, use_synonyms=params.use_synonyms) for s, f in names]
    return taxa, codes.astype(np.int32)


def _equations(
    taxa: Sequence[taxonomy.Taxon], taxon_codes: np.ndarray, params: CarbonParameters
) -> Categorical:
    """Equation label per row: the species' own equation, else ``excluded:<form>`` for an
    excluded growth form, else the default equation."""
    per_taxon = [_equation_for(t, params) for t in taxa]
    labels = tuple(dict.fromkeys(per_taxon))
    lookup = np.array([labels.index(e) for e in per_taxon], dtype=np.int32)
    return Categorical(lookup[taxon_codes] if lookup.size else taxon_codes, labels)


def _equation_for(taxon: taxonomy.Taxon, params: CarbonParameters) -> str:
    own = params.species_equations
    for key in (taxon.binomial, taxon.genus, taxon.entered.strip()):
        if key and key in own:
            return own[key]
    if taxon.growth_form in params.exclude_growth_forms:
        return f"{allometry.EQ_EXCLUDED}:{taxon.growth_form}"
    return params.default_equation


#: The equation of each label of the equation Categorical; None for a label that is not one.
_Specs = Sequence[allometry.Equation | None]


def _per_code(cat: Categorical, per_label: list[bool]) -> np.ndarray:
    return np.asarray(per_label, dtype=bool)[cat.codes] if per_label else np.zeros(0, bool)


def _heights(
    trees: TreeTable,
    params: CarbonParameters,
    alive: np.ndarray,
    eq: Categorical,
    specs: _Specs,
) -> height.HeightResolution:
    """Heights for live rows whose equation needs one; d15-based equations (coffee) never get
    a modelled height, nor train the local model."""
    needs = _per_code(eq, [bool(s and s.needs_height and s.diameter == "dbh") for s in specs])
    trees_only = _per_code(eq, [bool(s and s.diameter == "dbh") for s in specs])
    options = height.HeightOptions(
        method=params.height_method,
        model=params.height_model,
        use_weight=params.height_use_weight,
        by_group=params.height_by_plot,
        fallback=params.height_fallback,
        region=params.feldpausch_region,
        e=params.e_index,
    )
    return height.resolve_heights(
        trees.dbh_cm,
        trees.height_m,
        options,
        need=alive & needs,
        fit_rows=alive & trees_only,
        group_codes=None if trees.plot is None else trees.plot.codes,
        group_labels=() if trees.plot is None else trees.plot.labels,
        stem_of=None if trees.stem_of is None else trees.stem_of.codes,
    )


def _uncomputable(
    raw: np.ndarray,
    live_applicable: np.ndarray,
    eq: Categorical,
    heights: height.HeightResolution,
    offset: int,
) -> list[RowError]:
    rows = np.flatnonzero(live_applicable & ~np.isfinite(raw))
    labels = eq.values()
    return [
        RowError(
            "input.no_biomass",
            gettext_noop("no biomass: equation %(equation)s lacks an input (height?)"),
            {"equation": str(labels[r])},
            int(r) + offset,
            "height_m",
        )
        for r in rows
    ]


def _credited(
    raw: np.ndarray,
    trees: TreeTable,
    params: CarbonParameters,
    live_applicable: np.ndarray,
    eq: Categorical,
    specs: _Specs,
) -> np.ndarray:
    dmin_applies = _per_code(eq, [bool(s and s.applies_dmin) for s in specs])
    credited = allometry.credited_agb(raw, trees.dbh_cm, params.dmin_cm, dmin_applies)
    agb: np.ndarray = np.where(live_applicable, credited, 0.0)
    return agb


def _flags(
    trees: TreeTable,
    params: CarbonParameters,
    wd: np.ndarray,
    heights: height.HeightResolution,
    raw: np.ndarray,
    alive: np.ndarray,
    applicable: np.ndarray,
    eq: Categorical,
    specs: _Specs,
) -> np.ndarray:
    measured = np.isin(
        heights.source_codes,
        _source_codes(heights, height.SOURCE_MEASURED, height.SOURCE_MEASURED_TREE),
    )
    bounds = allometry.PlausibilityBounds(params.hd_ratio_min, params.hd_ratio_max)
    flags = allometry.plausibility_flags(
        trees.dbh_cm,
        heights.height_m,
        wd,
        h_measured=measured,
        previous_d_cm=trees.previous_dbh_cm,
        alive=alive,
        bounds=bounds,
    )
    dmin_applies = _per_code(eq, [bool(s and s.applies_dmin) for s in specs])
    with np.errstate(invalid="ignore"):
        below = applicable & dmin_applies & (trees.dbh_cm < params.dmin_cm)
        low, high = _ranges(eq, specs)
        outside = applicable & ((raw < low) | (raw > high))
    for mask, bit in (
        (below, allometry.FLAG_BELOW_DMIN),
        (~applicable, allometry.FLAG_EXCLUDED_GROWTH_FORM),
        (~alive, allometry.FLAG_NOT_ALIVE),
        (outside, allometry.FLAG_OUTSIDE_EQUATION_RANGE),
    ):
        flags[mask] |= np.uint32(bit)
    return flags


def _source_codes(heights: height.HeightResolution, *labels: str) -> list[int]:
    return [heights.source_labels.index(x) for x in labels if x in heights.source_labels]


def _ranges(eq: Categorical, specs: _Specs) -> tuple[np.ndarray, np.ndarray]:
    ranges = [s.agb_range_kg if s and s.agb_range_kg else (-np.inf, np.inf) for s in specs]
    low = np.array([r[0] for r in ranges] or [0.0])
    high = np.array([r[1] for r in ranges] or [0.0])
    return low[eq.codes], high[eq.codes]


_FLAG_MESSAGES = {
    allometry.FLAG_D_OVER_150: gettext_noop("%(n)d stems with D > 150 cm (check data entry)"),
    allometry.FLAG_HD_IMPLAUSIBLE: gettext_noop("%(n)d measured heights with implausible H/D"),
    allometry.FLAG_H_OVER_60: gettext_noop("%(n)d heights above 60 m"),
    allometry.FLAG_H_AT_MOST_1_3: gettext_noop("%(n)d heights at or below 1.3 m with D > 0"),
    allometry.FLAG_WD_OUT_OF_RANGE: gettext_noop(
        "%(n)d wood densities outside the GWDD range 0.08-1.39 g/cm3"
    ),
    allometry.FLAG_D_DECREASE: gettext_noop("%(n)d live stems shrank by more than 5%% in D"),
    allometry.FLAG_OUTSIDE_EQUATION_RANGE: gettext_noop(
        "%(n)d stems outside the sampled range of their equation (extrapolated)"
    ),
}


def _flag_warnings(flags: np.ndarray) -> list[Notice]:
    notes = []
    for bit, template in _FLAG_MESSAGES.items():
        rows = np.flatnonzero(flags & bit)
        if rows.size:
            name = allometry.FLAG_NAMES[bit]
            notes.append(
                Notice(f"flag.{name}", template, {"n": int(rows.size), "rows": rows[:50].tolist()})
            )
    return notes


def _reference_data(table: WoodDensityTable) -> Mapping[str, str]:
    files = {
        **table.digests,
        **taxonomy.taxonomy_digests(),
        **reference.digests(reference.FELDPAUSCH_FILE),
    }
    return MappingProxyType(dict(sorted(files.items())))


def tree_totals(trees: TreeTable, results: TreeResults) -> dict[str, np.ndarray]:
    """Per-tree sums of multi-stem rows (``stem_of``; each row its own tree when absent)."""
    groups = trees.stem_of or Categorical(
        np.arange(len(trees), dtype=np.int32), tuple(map(str, trees.tree_id))
    )
    n = len(groups.labels)
    sums = {
        name: allometry.sum_stems(groups.codes, getattr(results, name), n)
        for name in ("agb_kg", "bgb_kg", "carbon_kg", "co2e_kg")
    }
    return {"tree": np.asarray(groups.labels, dtype=object), **sums}
