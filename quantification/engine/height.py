"""Tree heights: local H–D models, Feldpausch 2012 regional models, Chave 2014 E-based heights,
and the resolver that fills missing heights and records where each height came from (§3.2).

Local H–D models are fitted in :mod:`.hd_models`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from . import reference
from .hd_models import (
    HD_BEST,
    MIN_HEIGHTS,
    HDModel,
    best_hd_model,
    fit_hd_model,
    fit_working_hd_models,
    hd_data_warnings,
)
from .notices import Notice, ParameterError, gettext_noop

METHOD_LOCAL = "local"
METHOD_FELDPAUSCH = "feldpausch"
METHOD_CHAVE_E = "chave_e"
METHOD_MEASURED = "measured"
HEIGHT_METHODS = (METHOD_LOCAL, METHOD_FELDPAUSCH, METHOD_CHAVE_E, METHOD_MEASURED)

SOURCE_MEASURED = "measured"
SOURCE_MEASURED_TREE = "measured:tree"
SOURCE_CHAVE_E = "chave_e"
SOURCE_NONE = "none"

CHAVE_E_RSE = 0.243

Coefficients = tuple[float, ...]
#: f(coefficients, D) -> H of a nonlinear model form.
_Curve = Callable[[Coefficients, np.ndarray], np.ndarray]
_Residuals = Callable[[Coefficients], np.ndarray]


@dataclass(frozen=True)
class FeldpauschCoefficients:
    region: str
    a: float
    b: float
    c: float
    rse: float


@cache
def feldpausch_coefficients() -> Mapping[str, FeldpauschCoefficients]:
    """Feldpausch et al. 2012 Table 3 (BIOMASS ``feldCoef``), by region name."""
    rows = reference.read_rows(reference.FELDPAUSCH_FILE)
    return MappingProxyType(
        {
            r["region"]: FeldpauschCoefficients(
                r["region"], float(r["a"]), float(r["b"]), float(r["c"]), float(r["rse"])
            )
            for r in rows
        }
    )


def feldpausch_height(d_cm: npt.ArrayLike, region: str) -> np.ndarray:
    """H = a(1 − exp(−b D^c)) for a Feldpausch region (Pichanaki: ``WAmazonia``)."""
    coefficients = feldpausch_coefficients()
    if region not in coefficients:
        raise ParameterError("feldpausch_region", f"unknown region {region!r}")
    k = coefficients[region]
    d = np.asarray(d_cm, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        heights: np.ndarray = k.a * (1.0 - np.exp(-k.b * d**k.c))
    return heights


def chave_e_height(d_cm: npt.ArrayLike, e: float) -> np.ndarray:
    """Chave 2014 Eq. 6a with the BIOMASS ``retrieveH`` back-transformation:
    H = exp(0.893 − E + 0.760 ln D − 0.0340 (ln D)² + 0.243²/2)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ln_d = np.log(np.asarray(d_cm, dtype=np.float64))
        heights: np.ndarray = np.exp(
            0.893 - e + 0.760 * ln_d - 0.0340 * ln_d**2 + 0.5 * CHAVE_E_RSE**2
        )
    return heights


# --- resolver ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class HeightResolution:
    """Height per row and where it came from: ``source_labels[source_codes[i]]`` is one of
    ``measured``, ``measured:tree`` (a multi-stem tree's height given on another stem),
    ``local:<model>[group]``, ``feldpausch:<region>``, ``chave_e`` or ``none``."""

    height_m: np.ndarray
    source_codes: np.ndarray
    source_labels: tuple[str, ...]
    models: tuple[HDModel, ...]
    warnings: tuple[Notice, ...]


@dataclass(frozen=True)
class HeightOptions:
    """How to fill missing heights (a view of the carbon parameters)."""

    method: str = METHOD_LOCAL
    model: str = HD_BEST
    use_weight: bool = False
    by_group: bool = False
    fallback: str = METHOD_FELDPAUSCH
    region: str = "WAmazonia"
    e: float | None = None


class _Sources:
    """Accumulates per-row source labels as small integer codes."""

    def __init__(self, n: int) -> None:
        self.labels: list[str] = [SOURCE_NONE]
        self.codes = np.zeros(n, dtype=np.int16)

    def set(self, rows: np.ndarray, label: str) -> None:
        if label not in self.labels:
            self.labels.append(label)
        self.codes[rows] = self.labels.index(label)


def resolve_heights(
    d_cm: np.ndarray,
    h_m: np.ndarray,
    options: HeightOptions,
    *,
    need: np.ndarray | None = None,
    fit_rows: np.ndarray | None = None,
    group_codes: np.ndarray | None = None,
    group_labels: tuple[str, ...] = (),
    stem_of: np.ndarray | None = None,
) -> HeightResolution:
    """Fill missing heights of the rows in ``need`` (default: all rows with D > 0).

    ``fit_rows`` limits which measured trees train a local model (e.g. live trees, no palms);
    ``group_codes``/``group_labels`` give per-plot models when ``options.by_group``; rows of a
    group with too few heights use the pooled model. ``stem_of`` (tree index per stem row) lets
    an unmeasured stem take its tree's measured height before any model is used (§3.5).
    """
    d = np.asarray(d_cm, dtype=np.float64)
    h = np.array(h_m, dtype=np.float64, copy=True)
    need = (d > 0) if need is None else need & (d > 0)
    sources = _Sources(d.size)
    measured = np.isfinite(h) & (h > 0)
    sources.set(np.flatnonzero(measured), SOURCE_MEASURED)
    if stem_of is not None:
        _fill_from_tree(h, measured, stem_of, sources)
    missing = need & ~np.isfinite(h)
    fit_rows = measured if fit_rows is None else fit_rows & measured
    notes: list[Notice] = []
    models = _fill_missing(
        d, h, missing, fit_rows, options, sources, notes, group_codes, group_labels
    )
    return HeightResolution(h, sources.codes, tuple(sources.labels), models, tuple(notes))


def _fill_from_tree(
    h: np.ndarray, measured: np.ndarray, stem_of: np.ndarray, sources: _Sources
) -> None:
    tree_h = np.full(int(stem_of.max()) + 1 if stem_of.size else 0, -np.inf)
    np.maximum.at(tree_h, stem_of[measured], h[measured])
    take = ~measured & np.isfinite(tree_h[stem_of])
    h[take] = tree_h[stem_of[take]]
    sources.set(np.flatnonzero(take), SOURCE_MEASURED_TREE)


def _fill_missing(
    d: np.ndarray,
    h: np.ndarray,
    missing: np.ndarray,
    fit_rows: np.ndarray,
    options: HeightOptions,
    sources: _Sources,
    notes: list[Notice],
    group_codes: np.ndarray | None,
    group_labels: tuple[str, ...],
) -> tuple[HDModel, ...]:
    if not missing.any() or options.method == METHOD_MEASURED:
        return ()
    if options.method != METHOD_LOCAL:
        _fill_formula(d, h, missing, options.method, options, sources)
        return ()
    models: list[HDModel] = []
    if options.by_group and group_codes is not None:
        for code, label in enumerate(group_labels):
            rows = missing & (group_codes == code)
            in_group = group_codes == code
            if rows.any() and np.count_nonzero(fit_rows & in_group) >= MIN_HEIGHTS:
                model = _local_model(d, h, fit_rows & in_group, in_group, options, label, notes)
                _apply(h, rows, model.predict(d[rows]), model.model_id, sources)
                models.append(model)
        missing = missing & ~np.isfinite(h)
    if missing.any():
        pooled = _pooled_or_fallback(d, h, missing, fit_rows, options, sources, notes)
        models.extend(pooled)
    return tuple(models)


def _pooled_or_fallback(
    d: np.ndarray,
    h: np.ndarray,
    missing: np.ndarray,
    fit_rows: np.ndarray,
    options: HeightOptions,
    sources: _Sources,
    notes: list[Notice],
) -> tuple[HDModel, ...]:
    if np.count_nonzero(fit_rows) < MIN_HEIGHTS:
        notes.extend(hd_data_warnings(d[fit_rows], h[fit_rows]))
        notes.append(
            Notice(
                "hd.fallback",
                gettext_noop(
                    "too few measured heights for a local H-D model; missing heights use "
                    "%(fallback)s"
                ),
                {"fallback": _formula_label(options.fallback, options)},
            )
        )
        _fill_formula(d, h, missing, options.fallback, options, sources)
        return ()
    everywhere = np.isfinite(d) & (d > 0)
    model = _local_model(d, h, fit_rows, everywhere, options, "", notes)
    _apply(h, missing, model.predict(d[missing]), model.model_id, sources)
    return (model,)


def _local_model(
    d: np.ndarray,
    h: np.ndarray,
    fit_rows: np.ndarray,
    rows: np.ndarray,
    options: HeightOptions,
    group: str,
    notes: list[Notice],
) -> HDModel:
    h_fit = np.where(fit_rows, h, np.nan)[rows]
    notes.extend(hd_data_warnings(d[rows], h_fit, group=group))
    if options.model != HD_BEST:
        return fit_hd_model(
            d[rows], h_fit, options.model, use_weight=options.use_weight, group=group
        )
    # a nonlinear form that fails is left out of "best"
    fitted, failures = fit_working_hd_models(
        d[rows], h_fit, use_weight=options.use_weight, group=group
    )
    notes.extend(failures)
    return best_hd_model(fitted)


def _formula_label(method: str, options: HeightOptions) -> str:
    return f"feldpausch:{options.region}" if method == METHOD_FELDPAUSCH else SOURCE_CHAVE_E


def _fill_formula(
    d: np.ndarray,
    h: np.ndarray,
    rows: np.ndarray,
    method: str,
    options: HeightOptions,
    sources: _Sources,
) -> None:
    if method == METHOD_FELDPAUSCH:
        values = feldpausch_height(d[rows], options.region)
    elif method == METHOD_CHAVE_E:
        if options.e is None:
            raise ParameterError("e_index", "the chave_e height method needs E")
        values = chave_e_height(d[rows], options.e)
    else:
        raise ParameterError("height_fallback", f"{method!r} cannot fill heights")
    _apply(h, rows, values, _formula_label(method, options), sources)


def _apply(
    h: np.ndarray, rows: np.ndarray, values: np.ndarray, label: str, sources: _Sources
) -> None:
    h[rows] = values
    sources.set(np.flatnonzero(rows), label)
