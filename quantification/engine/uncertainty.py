"""Optional allometric error propagation by Monte Carlo (carbon-methods §12, BIOMASS
``AGBmonteCarlo`` with Chave 2014 Eq. 4).

For each of ``n`` simulations and every tree:

- D: truncated normal on [0.1, 500] cm; ``"chave2004"``: sd = 0.0062 D + 0.0904 for 95% of the
  trees and 4.64 cm for a random 5% (Chave et al. 2004), or a given sd, or no error;
- ρ: truncated normal on [0.08, 1.39] with the tree's ``wood_density_sd``;
- H: from a local H–D model with its residual error (ln scale for log models, no Baskerville
  term, as BIOMASS ``predictHeight(err=TRUE)``), or a truncated normal on
  [1.3, max(H) + 15] with sd ``h_sd`` (e.g. the Feldpausch RSE);
- model: ln AGB = α + β ln(ρ D² H) + N(0, σ). BIOMASS draws (α, β, σ) from the posterior
  sample ``param_4``, which is not shipped here: by default the posterior means
  (α = −2.7616, β = 0.97578, σ = 0.3574) are used; pass ``posterior`` (rows of α, β, σ) to
  draw from a real posterior sample;
- carbon: AGC = AGB × N(0.4713, 0.0206) per tree and simulation (Thomas & Martin 2012).

Results are random: a ``seed`` makes them reproducible. Use for reporting only; credited
stocks come from the deterministic pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import ndtr, ndtri

from .hd_models import HD_LOG1, HD_LOG2, HDModel
from .notices import ParameterError

#: Posterior means of BIOMASS ``param_4`` (intercept, slope on ln(ρD²H), residual sd).
PARAM4_MEAN = (-2.7616, 0.97578, 0.3574)
CARBON_FRACTION_MEAN = 0.4713
CARBON_FRACTION_SD = 0.0206
D_BOUNDS = (0.1, 500.0)
WD_BOUNDS = (0.08, 1.39)


@dataclass(frozen=True)
class MonteCarloResult:
    """Distribution of the stand sum over the simulations (Mg of AGB, or of carbon)."""

    draws: np.ndarray
    mean: float
    median: float
    sd: float
    credible_2_5: float
    credible_97_5: float

    @classmethod
    def of(cls, draws: np.ndarray) -> MonteCarloResult:
        low, high = np.quantile(draws, [0.025, 0.975])
        return cls(
            draws,
            float(draws.mean()),
            float(np.median(draws)),
            float(draws.std(ddof=1)),
            float(low),
            float(high),
        )


def truncated_normal(
    rng: np.random.Generator,
    mean: npt.ArrayLike,
    sd: npt.ArrayLike,
    low: float,
    high: float,
) -> np.ndarray:
    """Inverse-CDF draws (as BIOMASS ``myrtruncnorm``); sd 0 or NaN returns the mean."""
    mean, sd = np.broadcast_arrays(np.asarray(mean, float), np.asarray(sd, float))
    safe = np.where(sd > 0, sd, 1.0)
    lo, hi = ndtr((low - mean) / safe), ndtr((high - mean) / safe)
    u = rng.uniform(size=mean.shape)
    drawn = mean + safe * ndtri(lo + u * (hi - lo))
    draws: np.ndarray = np.where(sd > 0, drawn, mean)
    return draws


def agb_monte_carlo(
    d_cm: npt.ArrayLike,
    wood_density: npt.ArrayLike,
    wood_density_sd: npt.ArrayLike,
    *,
    h_m: npt.ArrayLike | None = None,
    h_sd: npt.ArrayLike | None = None,
    hd_model: HDModel | None = None,
    d_error: str | float | None = None,
    n: int = 1000,
    seed: int | None = None,
    dmin_cm: float | None = None,
    posterior: np.ndarray | None = None,
) -> tuple[MonteCarloResult, MonteCarloResult]:
    """Monte Carlo AGB and carbon of a stand (sums in Mg). Give either ``h_m`` with ``h_sd``
    (0 for no height error) or ``hd_model``."""
    if (hd_model is None) == (h_m is None):
        raise ParameterError("h_m", "give either measured heights (with h_sd) or an H-D model")
    if not 50 <= n <= 100_000:
        raise ParameterError("n", "between 50 and 100000 simulations")
    rng = np.random.default_rng(seed)
    d = np.asarray(d_cm, float)[:, None] * np.ones((1, n))
    d_sim = _diameters(rng, d, d_error)
    wd = np.asarray(wood_density, float)[:, None]
    wd_sim = truncated_normal(
        rng, wd * np.ones((1, n)), np.asarray(wood_density_sd, float)[:, None], *WD_BOUNDS
    )
    h_sim = _heights(rng, d_sim, h_m, h_sd, hd_model, n)
    alpha, beta, sigma = _parameters(rng, posterior, n)
    ln_agb = alpha + beta * np.log(wd_sim * h_sim * d_sim**2) + rng.normal(size=d.shape) * sigma
    agb = np.exp(ln_agb) / 1000.0
    if dmin_cm is not None:
        agb[np.asarray(d_cm, float) < dmin_cm, :] = 0.0
    carbon = agb * rng.normal(CARBON_FRACTION_MEAN, CARBON_FRACTION_SD, size=agb.shape)
    return MonteCarloResult.of(agb.sum(axis=0)), MonteCarloResult.of(carbon.sum(axis=0))


def _diameters(rng: np.random.Generator, d: np.ndarray, d_error: str | float | None) -> np.ndarray:
    if d_error is None:
        return d
    if d_error == "chave2004":
        sd = 0.0062 * d + 0.0904
        n_trees = d.shape[0]
        for column in range(d.shape[1]):
            large = rng.choice(n_trees, size=round(n_trees * 5 / 100), replace=False)
            sd[large, column] = 4.64
        return truncated_normal(rng, d, sd, *D_BOUNDS)
    if isinstance(d_error, int | float) and d_error >= 0:
        return truncated_normal(rng, d, np.full(d.shape, float(d_error)), *D_BOUNDS)
    raise ParameterError("d_error", "'chave2004', a non-negative sd in cm, or None")


def _heights(
    rng: np.random.Generator,
    d_sim: np.ndarray,
    h_m: npt.ArrayLike | None,
    h_sd: npt.ArrayLike | None,
    hd_model: HDModel | None,
    n: int,
) -> np.ndarray:
    if hd_model is not None:
        coef = hd_model.coefficients
        if hd_model.method in (HD_LOG1, HD_LOG2):
            ln_d = np.log(d_sim)
            fit = coef[0] + coef[1] * ln_d + (coef[2] * ln_d**2 if len(coef) == 3 else 0.0)
            h = np.exp(fit + rng.normal(size=d_sim.shape) * hd_model.rse_log)
        else:
            h = hd_model.predict(d_sim) + rng.normal(size=d_sim.shape) * hd_model.rse
        heights: np.ndarray = np.where(h <= 0, 0.1, h)
        return heights
    h = np.asarray(h_m, float)
    if h_sd is None:
        raise ParameterError("h_sd", "required with measured heights (0 for no height error)")
    upper = float(np.nanmax(h)) + 15.0
    sd = np.broadcast_to(np.asarray(h_sd, float), h.shape)[:, None]
    return truncated_normal(rng, h[:, None] * np.ones((1, n)), sd, 1.3, upper)


def _parameters(
    rng: np.random.Generator, posterior: np.ndarray | None, n: int
) -> tuple[float | np.ndarray, float | np.ndarray, float | np.ndarray]:
    if posterior is None:
        return PARAM4_MEAN
    sample = np.asarray(posterior, float)
    rows = rng.choice(sample.shape[0], size=n, replace=sample.shape[0] < n)
    return sample[rows, 0], sample[rows, 1], sample[rows, 2]
