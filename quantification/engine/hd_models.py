"""Local height–diameter (H–D) models: fitting, comparing and predicting (§3.2).

Local models reproduce BIOMASS ``modelHD`` (non-Bayesian):

- ``log1``/``log2``: OLS (weighted OLS with ``use_weight``) of ln H on ln D (and (ln D)²);
  predictions use the Baskerville correction exp(fit + RSElog²/2); RSElog is computed from
  unweighted residuals, sqrt(Σres²/(n−p)), also for weighted fits.
- ``weibull``: H = a(1 − exp(−(D/b)^c)), Levenberg–Marquardt from a = q90(H), b = 24.9, c = 0.8.
- ``michaelis``: H = A·D/(B + D), Levenberg–Marquardt from R's ``SSmicmen`` self-start
  (Lineweaver–Burk on the heights averaged per distinct D, refined by variable projection).
- Both nonlinear fits use MINPACK ``lmdif`` with the controls of R ``nlsLM``
  (ftol = xtol = sqrt(machine eps), gtol = 0, automatic scaling), so they stop where BIOMASS
  stops, not merely near the same optimum.
- The nonlinear fits run on the heights grouped by distinct D (see :func:`_by_diameter`):
  Σ w(H − f(D))² = Σ_D W_D (H̄_D − f(D))² + Σ w(H − H̄_D)², so one residual per distinct D
  plus one constant residual (the within-D sum of squares) gives the same sum of squares,
  gradient and Gauss–Newton matrix as one residual per tree, hence the same iterations and
  stopping tests in exact arithmetic, at a cost set by the number of distinct diameters
  (about a thousand at 0.1 cm resolution) instead of the number of trees. The log models
  stay one row per tree (a closed-form OLS already; their results do not move by a bit).
- RSE = sqrt(Σ(H − Ĥ)²/(n − p)) over trees with a height; Average_bias = (mean Ĥ over all trees
  with a D − mean H)/mean H; weights w = D²H/ΣD²H.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import least_squares, leastsq

from .notices import CarbonInputError, Notice, ParameterError, gettext_noop

HD_LOG1 = "log1"
HD_LOG2 = "log2"
HD_WEIBULL = "weibull"
HD_MICHAELIS = "michaelis"
HD_METHODS = (HD_LOG1, HD_LOG2, HD_WEIBULL, HD_MICHAELIS)
HD_BEST = "best"
#: BIOMASS refuses to fit an H–D model on fewer heights.
MIN_HEIGHTS = 15
#: Minimum trees per D-quantile bin [0–50%], (50–75%], (75–100%] before a warning.
MIN_PER_BIN = 3

_EPS = math.sqrt(np.finfo(float).eps)
_N_PARAMS = {HD_LOG1: 2, HD_LOG2: 3, HD_WEIBULL: 3, HD_MICHAELIS: 2}

Coefficients = tuple[float, ...]
#: f(coefficients, D) -> H of a nonlinear model form.
_Curve = Callable[[Coefficients, np.ndarray], np.ndarray]
_Residuals = Callable[[Coefficients], np.ndarray]


@dataclass(frozen=True)
class HDModel:
    """A fitted local height–diameter model and its BIOMASS ``modelHD`` statistics."""

    method: str
    coefficients: tuple[float, ...]
    rse: float
    rse_log: float
    average_bias: float
    n_heights: int
    weighted: bool
    group: str = ""

    @property
    def model_id(self) -> str:
        """``local:<method>``, plus ``[group]`` for a per-plot or per-stratum model."""
        return f"local:{self.method}" + (f"[{self.group}]" if self.group else "")

    def predict(self, d_cm: npt.ArrayLike) -> np.ndarray:
        d = np.asarray(d_cm, dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            return _predict(self.method, self.coefficients, d, self.rse_log)

    def to_dict(self) -> dict[str, Any]:
        return {
            "model_id": self.model_id,
            "method": self.method,
            "coefficients": list(self.coefficients),
            "rse": self.rse,
            "rse_log": None if math.isnan(self.rse_log) else self.rse_log,
            "average_bias": self.average_bias,
            "n_heights": self.n_heights,
            "weighted": self.weighted,
            "group": self.group,
        }


def _predict(method: str, coef: tuple[float, ...], d: np.ndarray, rse_log: float) -> np.ndarray:
    if method in (HD_LOG1, HD_LOG2):
        ln_d = np.log(d)
        fit = coef[0] + coef[1] * ln_d + (coef[2] * ln_d**2 if method == HD_LOG2 else 0.0)
        heights: np.ndarray = np.exp(fit + 0.5 * rse_log**2)
        return heights
    if method == HD_WEIBULL:
        return _weibull(coef, d)
    return _michaelis(coef, d)


def _weibull(p: Coefficients, d: np.ndarray) -> np.ndarray:
    heights: np.ndarray = p[0] * (1.0 - np.exp(-((d / p[1]) ** p[2])))
    return heights


def _michaelis(p: Coefficients, d: np.ndarray) -> np.ndarray:
    heights: np.ndarray = p[0] * d / (p[1] + d)
    return heights


@dataclass(frozen=True)
class _Grouped:
    """Heights grouped by distinct D: ``x`` the distinct diameters, ``inverse`` each tree's
    group, ``count`` the trees per group, ``mean_h`` the unweighted mean height per group."""

    x: np.ndarray
    inverse: np.ndarray
    count: np.ndarray
    mean_h: np.ndarray

    @classmethod
    def of(cls, d: np.ndarray, h: np.ndarray) -> _Grouped:
        x, inverse, count = np.unique(d, return_inverse=True, return_counts=True)
        inverse = inverse.ravel()
        return cls(x, inverse, count, np.bincount(inverse, weights=h) / count)


@dataclass(frozen=True)
class _Sample:
    """What every model form is fitted on, prepared once: the measured (D, H) pairs, grouped by
    distinct D, and the D of all trees (for Average_bias)."""

    d: np.ndarray
    h: np.ndarray
    groups: _Grouped
    d_everywhere: np.ndarray

    @classmethod
    def of(cls, d_cm: npt.ArrayLike, h_m: npt.ArrayLike, group: str) -> _Sample:
        d_all = np.asarray(d_cm, dtype=np.float64)
        h_all = np.asarray(h_m, dtype=np.float64)
        with_d = np.isfinite(d_all) & (d_all > 0)
        pairs = with_d & np.isfinite(h_all) & (h_all > 0)
        d, h = d_all[pairs], h_all[pairs]
        _require_heights(h.size, group)
        return cls(d, h, _Grouped.of(d, h), d_all[with_d])


#: Fits one model form: (coefficients, RSElog; NaN for the nonlinear forms).
_Fitter = Callable[[_Sample, np.ndarray | None], tuple[Coefficients, float]]


def fit_hd_model(
    d_cm: npt.ArrayLike,
    h_m: npt.ArrayLike,
    method: str,
    *,
    use_weight: bool = False,
    group: str = "",
) -> HDModel:
    """Fit one local H–D model on the trees with a measured height (``h_m`` NaN = missing).

    ``d_cm`` covers every tree of the data set: Average_bias is taken over all of them, as in
    BIOMASS. Raises :class:`CarbonInputError` with fewer than :data:`MIN_HEIGHTS` heights or
    when a nonlinear fit does not converge.
    """
    if method not in HD_METHODS:
        raise ParameterError("height_model", f"unknown H-D model {method!r}")
    return _fit(_Sample.of(d_cm, h_m, group), method, use_weight, group)


def _fit(sample: _Sample, method: str, use_weight: bool, group: str) -> HDModel:
    d, h, groups = sample.d, sample.h, sample.groups
    w = d**2 * h / np.sum(d**2 * h) if use_weight else None
    try:
        coef, rse_log = _FITTERS[method](sample, w)
    except _NoConvergence:
        raise CarbonInputError(
            [
                Notice(
                    "hd.no_convergence",
                    gettext_noop("the %(method)s H-D model did not converge for %(group)s"),
                    {"method": method, "group": group or "the data set"},
                )
            ]
        ) from None
    # A prediction depends on D alone: computed once per distinct D, then spread to the trees.
    residuals = h - _predict(method, coef, groups.x, rse_log)[groups.inverse]
    mean_everywhere = _predict(method, coef, sample.d_everywhere, rse_log).mean()
    return HDModel(
        method=method,
        coefficients=tuple(float(c) for c in coef),
        rse=float(math.sqrt(np.sum(residuals**2) / (h.size - _N_PARAMS[method]))),
        rse_log=float(rse_log),
        average_bias=float((mean_everywhere - h.mean()) / h.mean()),
        n_heights=int(h.size),
        weighted=use_weight,
        group=group,
    )


def _require_heights(n: int, group: str) -> None:
    if n < MIN_HEIGHTS:
        raise CarbonInputError(
            [
                Notice(
                    "hd.too_few_heights",
                    gettext_noop(
                        "an H-D model needs at least %(min)d measured heights, %(group)s has %(n)d"
                    ),
                    {"min": MIN_HEIGHTS, "n": n, "group": group or "the data set"},
                )
            ]
        )


def _fit_log(power: int) -> _Fitter:
    def fit(sample: _Sample, w: np.ndarray | None) -> tuple[Coefficients, float]:
        x = np.column_stack([np.log(sample.d) ** k for k in range(power + 1)])
        y = np.log(sample.h)
        scale = np.ones_like(y) if w is None else np.sqrt(w)
        coef = np.linalg.lstsq(x * scale[:, None], y * scale, rcond=None)[0]
        res = y - x @ coef
        return tuple(coef), math.sqrt(float(res @ res) / (y.size - power - 1))

    return fit


class _NoConvergence(Exception):
    pass


def _lm(residuals: _Residuals, start: Iterable[float]) -> Coefficients:
    """MINPACK lmdif with R ``nls.lm.control()`` defaults (as BIOMASS's ``nlsLM`` calls)."""
    with np.errstate(all="ignore"):  # trial steps may leave the valid domain; MINPACK backs off
        coef, _, _, _, status = leastsq(
            residuals,
            np.asarray(start, float),
            full_output=True,
            ftol=_EPS,
            xtol=_EPS,
            gtol=0.0,
            maxfev=10_000,
        )
    if status not in (1, 2, 3, 4) or not np.all(np.isfinite(coef)):
        raise _NoConvergence
    return tuple(coef)


def _by_diameter(f: _Curve, sample: _Sample, w: np.ndarray | None) -> _Residuals:
    """Residual function of Σ w(H − f(p, D))², one residual per distinct D plus a constant.

    With W_D = Σ w and H̄_D = Σ wH / W_D per distinct D: residual_D = √W_D (H̄_D − f(D)), and
    the constant √(Σ w(H − H̄_D)²) (derivative 0). Falls back to one residual per tree when
    the groups save nothing or are too few for a 3-parameter fit.
    """
    d, h, groups = sample.d, sample.h, sample.groups
    if groups.x.size == d.size or groups.x.size < 3:
        sw = np.ones_like(h) if w is None else np.sqrt(w)
        return lambda p: sw * (h - f(p, d))
    weight = groups.count.astype(np.float64) if w is None else np.bincount(groups.inverse, w)
    mean = groups.mean_h if w is None else np.bincount(groups.inverse, w * h) / weight
    within = (h - mean[groups.inverse]) ** 2
    constant = np.array([math.sqrt(float(np.sum(within if w is None else w * within)))])
    sw, x = np.sqrt(weight), groups.x
    return lambda p: np.concatenate((sw * (mean - f(p, x)), constant))


def _fit_weibull(sample: _Sample, w: np.ndarray | None) -> tuple[Coefficients, float]:
    start = (float(np.quantile(sample.h, 0.9)), 24.9, 0.8)
    return _lm(_by_diameter(_weibull, sample, w), start), math.nan


def _fit_michaelis(sample: _Sample, w: np.ndarray | None) -> tuple[Coefficients, float]:
    return _lm(_by_diameter(_michaelis, sample, w), _ssmicmen_start(sample.groups)), math.nan


def _ssmicmen_start(groups: _Grouped) -> tuple[float, float]:
    """R ``SSmicmen`` initial values: heights averaged per distinct D, Lineweaver–Burk for K,
    then the least-squares K of the partially linear model (Vm solved in closed form)."""
    x, y = groups.x, groups.mean_h
    design = np.column_stack([np.ones_like(x), 1.0 / x])
    lb = np.linalg.lstsq(design, 1.0 / y, rcond=None)[0]

    def vm(k: float) -> float:
        g = x / (k + x)
        return float(g @ y / (g @ g))

    fit = least_squares(
        lambda k: y - vm(k[0]) * x / (k[0] + x), [abs(lb[1] / lb[0])], xtol=1e-15, ftol=1e-15
    )
    k = float(fit.x[0])
    return vm(k), k


_FITTERS: dict[str, _Fitter] = {
    HD_LOG1: _fit_log(1),
    HD_LOG2: _fit_log(2),
    HD_WEIBULL: _fit_weibull,
    HD_MICHAELIS: _fit_michaelis,
}


def compare_hd_models(
    d_cm: npt.ArrayLike, h_m: npt.ArrayLike, *, use_weight: bool = False, group: str = ""
) -> tuple[HDModel, ...]:
    """All four models (BIOMASS ``modelHD`` without ``method``), in :data:`HD_METHODS` order."""
    sample = _Sample.of(d_cm, h_m, group)
    return tuple(_fit(sample, m, use_weight, group) for m in HD_METHODS)


def fit_working_hd_models(
    d_cm: npt.ArrayLike, h_m: npt.ArrayLike, *, use_weight: bool = False, group: str = ""
) -> tuple[list[HDModel], list[Notice]]:
    """The models of :data:`HD_METHODS` that fit, and why the others (nonlinear forms that
    do not converge) did not: the candidates of ``best``."""
    sample = _Sample.of(d_cm, h_m, group)
    fitted: list[HDModel] = []
    failures: list[Notice] = []
    for method in HD_METHODS:
        try:
            fitted.append(_fit(sample, method, use_weight, group))
        except CarbonInputError as error:
            failures.extend(error.errors)
    return fitted, failures


def best_hd_model(models: Iterable[HDModel]) -> HDModel:
    """The model with the lowest RSE (first in :data:`HD_METHODS` order on a tie)."""
    return min(models, key=lambda m: m.rse)


def hd_data_warnings(
    d_cm: npt.ArrayLike, h_m: npt.ArrayLike, *, group: str = ""
) -> tuple[Notice, ...]:
    """Warnings about the height sample: fewer than 15 heights, or fewer than 3 measured trees
    in a D-quantile bin [0–50%], (50–75%], (75–100%] (quantiles of the measured trees' D;
    BIOMASS uses all D and only notices non-empty bins)."""
    d = np.asarray(d_cm, float)
    h = np.asarray(h_m, float)
    d = d[np.isfinite(h) & np.isfinite(d) & (d > 0) & (h > 0)]
    where = group or "the data set"
    notes = []
    if d.size < MIN_HEIGHTS:
        notes.append(
            Notice(
                "hd.few_heights",
                gettext_noop("only %(n)d measured heights in %(group)s (at least %(min)d needed)"),
                {"n": int(d.size), "min": MIN_HEIGHTS, "group": where},
            )
        )
    if d.size:
        q50, q75 = np.quantile(d, [0.5, 0.75])
        counts = [int(np.sum(d <= q50)), int(np.sum((d > q50) & (d <= q75))), int(np.sum(d > q75))]
        if min(counts) < MIN_PER_BIN:
            notes.append(
                Notice(
                    "hd.uneven_diameters",
                    gettext_noop(
                        "measured heights in %(group)s are not spread over the diameter range: "
                        "%(counts)s trees in the D-quantile bins [0-50%%], (50-75%%], (75-100%%]"
                    ),
                    {"group": where, "counts": "/".join(map(str, counts))},
                )
            )
    return tuple(notes)
