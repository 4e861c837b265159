"""Stratified sampling estimator of the project stock and its uncertainty (§7, AR-TOOL14).

Per stratum i (area A_i, weight w_i = A_i/A, n_i plots with values c_p in t ha⁻¹)::

    mean_i = Σ c_p / n_i
    s²_i   = (n_i Σ c_p² − (Σ c_p)²) / (n_i (n_i − 1))      (computed as Σ(c_p − mean_i)²/(n_i − 1))
    mean   = Σ w_i mean_i
    SE     = sqrt(Σ w_i² s²_i / n_i)
    u      = t_{(1+confidence)/2, df} · SE / |mean|,  df = Σ n_i − M
    total  = A · mean

A *census* stratum (every tree of its parcels counted) has no sampling error: its total is the
sum of its units (value × unit area), its mean that total over A_i; it adds nothing to SE or df.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
from scipy import stats

from .notices import CarbonInputError, Notice, ParameterError, gettext_noop
from .parameters import DEDUCTION_EXCESS, DEDUCTION_LOWER_BOUND, METHOD_VERSION

#: deduction_factor works on floats or on Decimals, one type per call.
_Number = TypeVar("_Number", float, Decimal)


@dataclass(frozen=True)
class StratumEstimate:
    """One stratum: per-hectare ``mean``, sample variance ``variance`` (s², NaN for census),
    ``se`` of the mean, ``total`` = area × mean, and the stratum's own CI half-width ``u``
    (fraction of the mean, df = n − 1; 0 for a census)."""

    stratum: str
    area_ha: float
    weight: float
    n_plots: int
    census: bool
    mean: float
    variance: float
    se: float
    total: float
    t_value: float
    u: float


@dataclass(frozen=True)
class ProjectEstimate:
    """Project (or any stratified quantity) estimate; ``u`` is the CI half-width as a fraction
    of the mean, ``total_adjusted`` the total after the uncertainty deduction (§7.4)."""

    strata: tuple[StratumEstimate, ...]
    area_ha: float
    mean: float
    se: float
    n_plots: int
    df: int
    confidence: float
    t_value: float
    u: float
    half_width: float
    total: float
    total_half_width: float
    uncertainty_target: float
    deduction_rule: str
    total_adjusted: float
    method_version: str = METHOD_VERSION
    unit: str = "tCO2e/ha"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["strata"] = [asdict(s) for s in self.strata]
        safe: dict[str, Any] = _json_safe(data)
        return safe


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def stratum_moments(values: np.ndarray) -> tuple[float, float]:
    """Mean and sample variance (n − 1) of one stratum's plot values (needs ≥ 2 plots)."""
    mean = float(np.mean(values))
    return mean, float(np.sum((values - mean) ** 2) / (values.size - 1))


def t_quantile(confidence: float, df: int) -> float:
    """Two-sided Student t quantile, e.g. t(0.95, df) for 90% confidence."""
    return float(stats.t.ppf(0.5 + confidence / 2.0, df))


def deduction_factor(u: _Number, *, rule: str, target: _Number) -> _Number:
    """Multiplier of a stock or stock change for uncertainty ``u`` (§7.4) [CHECK exact rule]:
    1 when u ≤ target; ``excess``: 1 − (u − target); ``lower_bound``: 1 − u; never below 0.
    Works with floats or Decimals (pass both ``u`` and ``target`` of one type)."""
    one, zero = type(u)(1), type(u)(0)
    if u <= target:
        return one
    if rule == DEDUCTION_EXCESS:
        return max(one - (u - target), zero)
    if rule == DEDUCTION_LOWER_BOUND:
        return max(one - u, zero)
    raise ParameterError("deduction_rule", f"unknown rule {rule!r}")


def apply_deduction(value: float, u: float, *, rule: str, target: float) -> float:
    """Conservative value: deduct only from a gain (a loss is never made smaller)."""
    if value <= 0:
        return value
    return value * deduction_factor(u, rule=rule, target=target)


def stratified_estimate(
    values: np.ndarray,
    stratum_codes: np.ndarray,
    strata: Sequence[str],
    strata_area_ha: np.ndarray,
    *,
    census: np.ndarray | None = None,
    unit_area_ha: np.ndarray | None = None,
    confidence: float = 0.90,
    target: float = 0.10,
    rule: str = DEDUCTION_EXCESS,
    unit: str = "tCO2e/ha",
) -> ProjectEstimate:
    """Stratified mean, SE, t-based CI and total of per-plot ``values`` (per hectare).

    ``stratum_codes[p]`` indexes ``strata``; ``census[i]`` marks census strata, whose units need
    ``unit_area_ha``. A sampled stratum needs at least 2 plots, every stratum at least 1.
    """
    values = np.asarray(values, dtype=np.float64)
    areas = np.asarray(strata_area_ha, dtype=np.float64)
    census = np.zeros(len(strata), bool) if census is None else np.asarray(census, bool)
    _check_strata(stratum_codes, strata, areas, census, unit_area_ha)
    total_area = float(areas.sum())
    per_stratum = [
        _stratum(
            values,
            stratum_codes,
            i,
            name,
            areas[i],
            total_area,
            census[i],
            unit_area_ha,
            confidence,
        )
        for i, name in enumerate(strata)
    ]
    return _combine(per_stratum, total_area, confidence, target, rule, unit)


def _stratum(
    values: np.ndarray,
    codes: np.ndarray,
    i: int,
    name: str,
    area: float,
    total_area: float,
    is_census: bool,
    unit_area: np.ndarray | None,
    confidence: float,
) -> StratumEstimate:
    rows = codes == i
    plot_values = values[rows]
    if is_census:
        assert unit_area is not None  # _check_strata: census strata come with unit areas
        total = float(np.sum(plot_values * unit_area[rows]))
        mean, variance, se, t_value = total / area, math.nan, 0.0, 0.0
    else:
        mean, variance = stratum_moments(plot_values)
        se = math.sqrt(variance / plot_values.size)
        total = area * mean
        t_value = t_quantile(confidence, plot_values.size - 1)
    return StratumEstimate(
        stratum=name,
        area_ha=float(area),
        weight=float(area / total_area),
        n_plots=int(plot_values.size),
        census=bool(is_census),
        mean=mean,
        variance=variance,
        se=se,
        total=total,
        t_value=t_value,
        u=_relative(t_value * se, mean),
    )


def _relative(half_width: float, mean: float) -> float:
    if mean:
        return half_width / abs(mean)
    return 0.0 if half_width == 0 else math.inf


def _combine(
    per_stratum: list[StratumEstimate],
    total_area: float,
    confidence: float,
    target: float,
    rule: str,
    unit: str,
) -> ProjectEstimate:
    mean = math.fsum(s.weight * s.mean for s in per_stratum)
    sampled = [s for s in per_stratum if not s.census]
    se = math.sqrt(math.fsum(s.weight**2 * s.variance / s.n_plots for s in sampled))
    df = sum(s.n_plots for s in sampled) - len(sampled)
    t_value = t_quantile(confidence, df) if sampled else 0.0
    half_width = t_value * se
    u = _relative(half_width, mean)
    total = total_area * mean
    return ProjectEstimate(
        strata=tuple(per_stratum),
        area_ha=total_area,
        mean=mean,
        se=se,
        n_plots=sum(s.n_plots for s in per_stratum),
        df=df,
        confidence=confidence,
        t_value=t_value,
        u=u,
        half_width=half_width,
        total=total,
        total_half_width=total_area * half_width,
        uncertainty_target=target,
        deduction_rule=rule,
        total_adjusted=apply_deduction(total, u, rule=rule, target=target),
        unit=unit,
    )


def _check_strata(
    codes: np.ndarray,
    strata: Sequence[str],
    areas: np.ndarray,
    census: np.ndarray,
    unit_area: np.ndarray | None,
) -> None:
    errors: list[Notice] = []
    counts = np.bincount(np.asarray(codes, dtype=np.int64), minlength=len(strata))
    for i, name in enumerate(strata):
        if not areas[i] > 0:
            errors.append(
                _stratum_error("stratum.area", "stratum %(stratum)s: area must be > 0", name)
            )
        minimum = 1 if census[i] else 2
        if counts[i] < minimum:
            errors.append(
                Notice(
                    "stratum.too_few_plots",
                    gettext_noop(
                        "stratum %(stratum)s has %(n)d plots; at least %(min)d are needed"
                    ),
                    {"stratum": name, "n": int(counts[i]), "min": minimum},
                )
            )
    if census.any() and unit_area is None:
        errors.append(_stratum_error("stratum.census_area", "census strata need unit areas", ""))
    if errors:
        raise CarbonInputError(errors)


def _stratum_error(code: str, template: str, name: str) -> Notice:
    return Notice(code, gettext_noop(template), {"stratum": name})


# --- stock changes -------------------------------------------------------------------------------
def paired_changes(
    ids_t1: Iterable[object],
    values_t1: npt.ArrayLike,
    ids_t2: Iterable[object],
    values_t2: npt.ArrayLike,
) -> tuple[list[str], np.ndarray]:
    """Per-plot change c_p,t2 − c_p,t1 of permanent plots, in the order of ``ids_t2``.

    Every plot must be measured at both times; run :func:`stratified_estimate` on the result
    to get the (much smaller) uncertainty of the change (§7.4)."""
    first = dict(zip(map(str, ids_t1), np.asarray(values_t1, float), strict=True))
    second = dict(zip(map(str, ids_t2), np.asarray(values_t2, float), strict=True))
    unmatched = sorted(set(first) ^ set(second))
    if unmatched:
        raise CarbonInputError(
            [
                Notice(
                    "change.unpaired_plots",
                    gettext_noop("permanent plots measured only once: %(plots)s"),
                    {"plots": ", ".join(unmatched)},
                )
            ]
        )
    ids = list(second)
    return ids, np.array([second[i] - first[i] for i in ids])


def independent_change_uncertainty(c1: float, u1: float, c2: float, u2: float) -> float:
    """u_Δ = sqrt((u₁C₁)² + (u₂C₂)²)/|C₂ − C₁| for two independently estimated stocks."""
    change = abs(c2 - c1)
    spread = math.hypot(u1 * c1, u2 * c2)
    return spread / change if change else math.inf
