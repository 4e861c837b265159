"""The vectorised entry points: trees -> per-tree results -> plots -> strata -> project.

``compute_trees`` takes a :class:`TreeTable` (numpy columns; text columns as
:class:`Categorical` codes) and returns :class:`TreeResults` with one value per row. Work that
depends on the species (taxonomy, wood density lookup, equation choice) runs once per distinct
name; everything per row is numpy arithmetic, so a million rows take well under a second.

A row is one stem. Rows sharing a ``stem_of`` label are the stems of one multi-stem tree: each
stem gets its own AGB (with the tree's height when the stem has none) and
:func:`tree_totals` sums them (§3.5).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, overload

import numpy as np

from . import allometry, biomass, height, reference, sampling, taxonomy
from .notices import CarbonInputError, Notice, RowError, gettext_noop
from .parameters import DEFAULT_PARAMETERS, METHOD_VERSION, CarbonParameters
from .sampling import ProjectEstimate
from .wood_density import LEVELS, WoodDensityTable, assign_wood_density, load_table

STATUS_ALIVE = "alive"
STATUS_DEAD = "dead"
STATUS_CUT = "cut"
STATUS_MISSING = "missing"
STATUSES = (STATUS_ALIVE, STATUS_DEAD, STATUS_CUT, STATUS_MISSING)
#: Field-form and Spanish spellings accepted for the status column.
STATUS_ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "": STATUS_ALIVE,
        "alive": STATUS_ALIVE,
        "vivo": STATUS_ALIVE,
        "dead": STATUS_DEAD,
        "dead_standing": STATUS_DEAD,
        "dead_fallen": STATUS_DEAD,
        "muerto": STATUS_DEAD,
        "cut": STATUS_CUT,
        "talado": STATUS_CUT,
        "missing": STATUS_MISSING,
        "not_found": STATUS_MISSING,
        "ausente": STATUS_MISSING,
    }
)


@dataclass(frozen=True)
class Categorical:
    """A text column as integer ``codes`` into ``labels`` (first-appearance order)."""

    codes: np.ndarray
    labels: tuple[str, ...]

    @classmethod
    def from_values(cls, values: Sequence[str] | np.ndarray) -> Categorical:
        # dict.fromkeys and map(dict.__getitem__) run in C: ~0.1 s per million values.
        labels = tuple(dict.fromkeys(values))
        index = {label: code for code, label in enumerate(labels)}
        codes = np.fromiter(map(index.__getitem__, values), dtype=np.int32, count=len(values))
        return cls(codes, labels)

    @classmethod
    def constant(cls, label: str, n: int) -> Categorical:
        return cls(np.zeros(n, dtype=np.int32), (label,))

    def __len__(self) -> int:
        return int(self.codes.shape[0])

    def values(self) -> np.ndarray:
        """Decoded labels per row (object array)."""
        labels: np.ndarray = np.asarray(self.labels, dtype=object)[self.codes]
        return labels


#: A column given to from_columns: a list, tuple or numpy array, one value per row.
Column = Sequence[Any] | np.ndarray


def _floats(values: Column | None, n: int) -> np.ndarray:
    if values is None:
        return np.full(n, np.nan)
    return np.asarray(values, dtype=np.float64)


@overload
def _categorical(values: None) -> None: ...
@overload
def _categorical(values: Categorical | Iterable[object]) -> Categorical: ...
def _categorical(values: Categorical | Iterable[object] | None) -> Categorical | None:
    if values is None or isinstance(values, Categorical):
        return values
    return Categorical.from_values([str(v) for v in values])


@dataclass(frozen=True)
class TreeTable:
    """Input rows (stems). ``height_m``/``wood_density``/``previous_dbh_cm`` use NaN for "not
    measured"; ``status`` labels are alive/dead/cut/missing (or :data:`STATUS_ALIASES`)."""

    tree_id: np.ndarray
    species: Categorical
    dbh_cm: np.ndarray
    height_m: np.ndarray
    family: Categorical | None = None
    plot: Categorical | None = None
    wood_density: np.ndarray | None = None
    status: Categorical | None = None
    stem_of: Categorical | None = None
    previous_dbh_cm: np.ndarray | None = None

    @classmethod
    def from_columns(
        cls,
        *,
        tree_id: Column,
        species: Categorical | Column,
        dbh_cm: Column,
        height_m: Column | None = None,
        family: Categorical | Column | None = None,
        plot_id: Categorical | Column | None = None,
        wood_density: Column | None = None,
        status: Categorical | Column | None = None,
        stem_of: Categorical | Column | None = None,
        previous_dbh_cm: Column | None = None,
    ) -> TreeTable:
        """Build from sequences; text columns are factorised, missing numbers are NaN."""
        n = len(dbh_cm)
        return cls(
            tree_id=np.asarray(tree_id),
            species=_categorical(species),
            dbh_cm=_floats(dbh_cm, n),
            height_m=_floats(height_m, n),
            family=_categorical(family),
            plot=_categorical(plot_id),
            wood_density=None if wood_density is None else _floats(wood_density, n),
            status=_categorical(status),
            stem_of=_categorical(stem_of),
            previous_dbh_cm=None if previous_dbh_cm is None else _floats(previous_dbh_cm, n),
        )

    def __len__(self) -> int:
        return int(self.dbh_cm.shape[0])

    def __post_init__(self) -> None:
        n = len(self)
        columns: list[np.ndarray | Categorical | None] = [
            self.tree_id,
            self.species,
            self.height_m,
            self.family,
            self.plot,
            self.wood_density,
            self.status,
            self.stem_of,
            self.previous_dbh_cm,
        ]
        if any(c is not None and len(c) != n for c in columns):
            raise ValueError("every TreeTable column must have one value per row")


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
    height_models: tuple[height.HDModel, ...]
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


# --- compute_trees -------------------------------------------------------------------------------
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
    _raise_if(validate_trees(trees, line_offset=line_offset))
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
    _raise_if(_uncomputable(raw, alive & applicable, eq, heights, line_offset))
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


def _raise_if(errors: Sequence[Notice]) -> None:
    if errors:
        raise CarbonInputError(errors)


def validate_trees(trees: TreeTable, *, line_offset: int = 0) -> list[RowError]:
    """Row errors of the input values (numbers already parsed): D must be > 0 on live trees,
    heights and given wood densities > 0 when present, statuses known."""
    errors: list[RowError] = []
    alive = _status_codes(trees) == STATUSES.index(STATUS_ALIVE)
    with np.errstate(invalid="ignore"):
        checks = [
            ("dbh_cm", alive & ~(trees.dbh_cm > 0), "diameter must be a number > 0 on a live tree"),
            (
                "dbh_cm",
                ~np.isnan(trees.dbh_cm) & ~np.isfinite(trees.dbh_cm),
                "diameter must be finite",
            ),
            (
                "height_m",
                ~np.isnan(trees.height_m) & ~(np.isfinite(trees.height_m) & (trees.height_m > 0)),
                "height must be a number > 0 or empty",
            ),
        ]
        if trees.wood_density is not None:
            wd = trees.wood_density
            checks.append(
                (
                    "wood_density",
                    ~np.isnan(wd) & ~(np.isfinite(wd) & (wd > 0)),
                    "wood density must be a number > 0 or empty",
                )
            )
    for column, bad, reason in checks:
        errors.extend(_row_errors(np.flatnonzero(bad), column, reason, line_offset))
    errors.extend(_status_errors(trees, line_offset))
    return sorted(errors, key=lambda e: (e.line, e.column))


def _row_errors(rows: np.ndarray, column: str, reason: str, offset: int) -> list[RowError]:
    return [
        RowError("input.invalid", gettext_noop(reason), {}, int(r) + offset, column) for r in rows
    ]


def _status_codes(trees: TreeTable) -> np.ndarray:
    """Status per row as an index into :data:`STATUSES`, −1 for an unknown label."""
    if trees.status is None:
        return np.zeros(len(trees), dtype=np.int8)
    mapped = [STATUS_ALIASES.get(label.strip().lower()) for label in trees.status.labels]
    per_label = np.array([STATUSES.index(m) if m else -1 for m in mapped], dtype=np.int8)
    codes: np.ndarray = per_label[trees.status.codes]
    return codes


def _status_errors(trees: TreeTable, offset: int) -> list[RowError]:
    if trees.status is None:
        return []
    status = trees.status
    rows = np.flatnonzero(_status_codes(trees) < 0)
    return [
        RowError(
            "input.status",
            gettext_noop("unknown status %(status)r"),
            {"status": str(status.values()[r])},
            int(r) + offset,
            "status",
        )
        for r in rows
    ]


def _alive(trees: TreeTable) -> np.ndarray:
    alive: np.ndarray = _status_codes(trees) == STATUSES.index(STATUS_ALIVE)
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


# --- plots, strata, project ----------------------------------------------------------------------
@dataclass(frozen=True)
class PlotTable:
    """Plots: id, stratum and horizontal area in ha (slope-corrected)."""

    plot_id: tuple[str, ...]
    stratum: tuple[str, ...]
    area_ha: np.ndarray

    @classmethod
    def from_columns(
        cls,
        *,
        plot_id: Column,
        stratum: Column,
        area_m2: Column | None = None,
        area_ha: Column | None = None,
    ) -> PlotTable:
        if (area_m2 is None) == (area_ha is None):
            raise ValueError("give exactly one of area_m2 or area_ha")
        area = np.asarray(
            area_ha if area_m2 is None else np.asarray(area_m2, float) / 1e4, dtype=np.float64
        )
        return cls(tuple(map(str, plot_id)), tuple(map(str, stratum)), area)


@dataclass(frozen=True)
class StrataTable:
    """Strata: name, area in ha, and whether the stratum is a census (no sampling error)."""

    stratum: tuple[str, ...]
    area_ha: np.ndarray
    census: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))

    def __post_init__(self) -> None:
        if self.census.size == 0:
            object.__setattr__(self, "census", np.zeros(len(self.stratum), bool))


@dataclass(frozen=True)
class PlotTotals:
    """Per plot: ``n_alive`` live rows (stems), totals in t and per-hectare values
    (t ha⁻¹ and tCO2e ha⁻¹)."""

    plot_id: tuple[str, ...]
    stratum: tuple[str, ...]
    area_ha: np.ndarray
    n_alive: np.ndarray
    agb_t: np.ndarray
    bgb_t: np.ndarray
    co2e_t: np.ndarray
    agb_t_ha: np.ndarray
    bgb_t_ha: np.ndarray
    carbon_t_ha: np.ndarray
    co2e_t_ha: np.ndarray
    bgb_method: str
    parameters_fingerprint: str
    method_version: str = METHOD_VERSION


def aggregate_plots(
    trees: TreeTable,
    results: TreeResults,
    plots: PlotTable,
    params: CarbonParameters = DEFAULT_PARAMETERS,
    *,
    line_offset: int = 0,
) -> PlotTotals:
    """Plot sums -> t ha⁻¹ (§7.1). A plot without trees is a valid zero. BGB per hectare uses
    the parameter set's method (Cairns/Mokany only here, on plot AGB)."""
    index = _plot_index(trees, plots, line_offset)
    n = len(plots.plot_id)
    agb_t = np.bincount(index, weights=results.agb_kg, minlength=n) / 1000.0
    agb_t_ha = agb_t / plots.area_ha
    bgb_t_ha = biomass.plot_bgb_t_ha(agb_t_ha, params.bgb_method, params.root_shoot_ratio)
    carbon_t_ha = biomass.carbon(agb_t_ha, bgb_t_ha, params.carbon_fraction)
    co2e_t_ha = biomass.co2e(carbon_t_ha)
    return PlotTotals(
        plot_id=plots.plot_id,
        stratum=plots.stratum,
        area_ha=plots.area_ha,
        n_alive=np.bincount(index, weights=results.alive.astype(float), minlength=n).astype(int),
        agb_t=agb_t,
        bgb_t=bgb_t_ha * plots.area_ha,
        co2e_t=co2e_t_ha * plots.area_ha,
        agb_t_ha=agb_t_ha,
        bgb_t_ha=bgb_t_ha,
        carbon_t_ha=carbon_t_ha,
        co2e_t_ha=co2e_t_ha,
        bgb_method=params.bgb_method,
        parameters_fingerprint=params.fingerprint(),
    )


def _plot_index(trees: TreeTable, plots: PlotTable, offset: int) -> np.ndarray:
    errors: list[Notice] = [
        Notice("plots.area", gettext_noop("plot %(plot)s: area must be > 0"), {"plot": p})
        for p, a in zip(plots.plot_id, plots.area_ha, strict=True)
        if not a > 0
    ]
    position = {p: i for i, p in enumerate(plots.plot_id)}
    if len(position) != len(plots.plot_id):
        errors.append(Notice("plots.duplicate", gettext_noop("duplicate plot ids in the plots")))
    if trees.plot is None:
        errors.append(Notice("trees.no_plot", gettext_noop("trees have no plot_id column")))
        raise CarbonInputError(errors)
    per_label = np.array([position.get(label, -1) for label in trees.plot.labels], np.int64)
    index: np.ndarray = per_label[trees.plot.codes]
    errors.extend(
        RowError(
            "trees.unknown_plot",
            gettext_noop("plot %(plot)s is not in the plots table"),
            {"plot": trees.plot.labels[trees.plot.codes[r]]},
            int(r) + offset,
            "plot_id",
        )
        for r in np.flatnonzero(index < 0)
    )
    _raise_if(errors)
    return index


def estimate_project(
    plots: PlotTotals,
    strata: StrataTable,
    params: CarbonParameters = DEFAULT_PARAMETERS,
    *,
    value: str = "co2e_t_ha",
) -> ProjectEstimate:
    """Stratum means -> project mean, SE, 90% CI half-width u, total and the total after the
    uncertainty deduction (§7.2–7.4). ``value`` picks the per-hectare column."""
    codes = _stratum_codes(plots.stratum, strata)
    return sampling.stratified_estimate(
        getattr(plots, value),
        codes,
        strata.stratum,
        strata.area_ha,
        census=strata.census,
        unit_area_ha=plots.area_ha,
        confidence=params.confidence,
        target=params.uncertainty_target,
        rule=params.deduction_rule,
        unit="tCO2e/ha" if value == "co2e_t_ha" else "t/ha",
    )


def estimate_change(
    plots_t1: PlotTotals,
    plots_t2: PlotTotals,
    strata: StrataTable,
    params: CarbonParameters = DEFAULT_PARAMETERS,
) -> ProjectEstimate:
    """Stock change from permanent plots: per-plot Δ(tCO2e ha⁻¹) through the stratified
    estimator, giving the u to use for the deduction on the change (§7.4)."""
    ids, delta = sampling.paired_changes(
        plots_t1.plot_id, plots_t1.co2e_t_ha, plots_t2.plot_id, plots_t2.co2e_t_ha
    )
    position = {p: i for i, p in enumerate(plots_t2.plot_id)}
    rows = [position[i] for i in ids]
    stratum = tuple(plots_t2.stratum[r] for r in rows)
    return sampling.stratified_estimate(
        delta,
        _stratum_codes(stratum, strata),
        strata.stratum,
        strata.area_ha,
        census=strata.census,
        unit_area_ha=plots_t2.area_ha[rows],
        confidence=params.confidence,
        target=params.uncertainty_target,
        rule=params.deduction_rule,
        unit="tCO2e/ha",
    )


def _stratum_codes(plot_strata: Sequence[str], strata: StrataTable) -> np.ndarray:
    position = {s: i for i, s in enumerate(strata.stratum)}
    unknown = sorted({s for s in plot_strata if s not in position})
    if unknown or len(position) != len(strata.stratum):
        raise CarbonInputError(
            [
                Notice(
                    "strata.unknown",
                    gettext_noop(
                        "plots refer to strata missing from the strata table (or the "
                        "table repeats one): %(strata)s"
                    ),
                    {"strata": ", ".join(unknown)},
                )
            ]
        )
    return np.array([position[s] for s in plot_strata], dtype=np.int64)
