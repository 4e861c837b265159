"""Tree growth: the Chapman–Richards diameter curve D(age) and its calibration on monitoring
data (§9.1)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import least_squares

from .notices import CarbonInputError, Notice, gettext_noop
from .parameters import GrowthCurve

#: A growth curve is fitted only with observations at this many distinct ages or more.
MIN_DISTINCT_AGES = 3


def chapman_richards(age_years: npt.ArrayLike, curve: GrowthCurve) -> np.ndarray:
    """D(t) = Dmax (1 − e^(−k t))^p; 0 at and before planting."""
    t = np.maximum(np.asarray(age_years, dtype=np.float64), 0.0)
    dbh: np.ndarray = curve.dmax_cm * (1.0 - np.exp(-curve.k * t)) ** curve.p
    return dbh


@dataclass(frozen=True)
class GrowthCalibration:
    """Result of fitting D(age); ``calibrated`` False means the prior was kept (``reason``)."""

    curve: GrowthCurve
    prior: GrowthCurve
    calibrated: bool
    n_observations: int
    n_ages: int
    rss: float
    reason: Notice | None = None


def calibrate_growth(
    ages: npt.ArrayLike, dbh_cm: npt.ArrayLike, prior: GrowthCurve
) -> GrowthCalibration:
    """Least-squares Chapman–Richards fit of D on age (§9.1): minimise Σ(D_obs − D(t))² with
    Dmax > max(D_obs), 0 < k < 1, p ≥ 1. Fewer than 3 distinct ages keep the prior."""
    t, d = _observations(ages, dbh_cm)
    n_ages = int(np.unique(t).size)
    if n_ages < MIN_DISTINCT_AGES:
        reason = Notice(
            "growth.too_few_ages",
            gettext_noop("%(n)d distinct ages observed, %(min)d needed: the prior curve is kept"),
            {"n": n_ages, "min": MIN_DISTINCT_AGES},
        )
        return GrowthCalibration(
            prior, prior, False, int(t.size), n_ages, _rss(t, d, prior), reason
        )
    low = np.array([np.nextafter(d.max(), math.inf), 1e-9, 1.0])
    high = np.array([math.inf, 1.0 - 1e-9, math.inf])
    start = np.clip([max(prior.dmax_cm, 1.05 * d.max()), prior.k, prior.p], low, high)
    fit = least_squares(
        lambda x: d - x[0] * (1.0 - np.exp(-x[1] * t)) ** x[2],
        start,
        bounds=(low, high),
        xtol=1e-12,
        ftol=1e-12,
        gtol=1e-12,
    )
    curve = GrowthCurve(*(float(v) for v in fit.x))
    return GrowthCalibration(curve, prior, True, int(t.size), n_ages, _rss(t, d, curve))


def _observations(ages: npt.ArrayLike, dbh_cm: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(ages, dtype=np.float64)
    d = np.asarray(dbh_cm, dtype=np.float64)
    bad = np.flatnonzero(~(np.isfinite(t) & (t > 0) & np.isfinite(d) & (d > 0)))
    if t.shape != d.shape or bad.size:
        raise CarbonInputError(
            [
                Notice(
                    "growth.bad_observation",
                    gettext_noop("growth observation %(row)d: age and D must be positive numbers"),
                    {"row": int(i)},
                )
                for i in (bad if bad.size else [0])
            ]
        )
    return t, d


def _rss(t: np.ndarray, d: np.ndarray, curve: GrowthCurve) -> float:
    return float(np.sum((d - chapman_richards(t, curve)) ** 2))
