"""Ex-ante projection from planting records (§9): growth, survival, stock per year, the
long-term average cap (the growth curve and its calibration are in :mod:`.growth`).

Per cohort (one species planted in one project year) and project year t = 1..T, with age
a = t − planting year::

    D(a)     = Dmax (1 − exp(−k a))^p                 Chapman–Richards
    H(a)     = H–D model(D(a))                        local model if given, else the
                                                      parameter set's regional/E method
    AGB(a)   = allometry(D, H, ρ), 0 below Dmin       same equation and Dmin as ex-post
    n(a)     = n_planted · s · (1 − m)^max(a − a_est, 0) · Π(1 − thinning fractions so far)
    C(t)     = Σ_cohorts n · AGB (1 + R) · CF · 44/12 / 1000      [t CO2e]

The cap is the long-term average LTA = mean of C(1..T) when trees are harvested or thinned,
otherwise the stock at the end of the period (``cap_rule`` ``auto``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from . import allometry, biomass, hd_models, height, taxonomy
from .growth import chapman_richards
from .notices import CarbonInputError, Notice, ParameterError, gettext_noop
from .parameters import (
    CAP_AUTO,
    CAP_END_STOCK,
    CAP_LTA,
    METHOD_VERSION,
    CarbonParameters,
    GrowthCurve,
)
from .removals import fraction, tonnes
from .wood_density import load_table, taxon_values


def survivors(
    n_planted: float,
    age_years: npt.ArrayLike,
    *,
    survival: float,
    mortality: float,
    establishment_age: int = 1,
    thinning: Sequence[tuple[float, float]] = (),
) -> np.ndarray:
    """n(t) = n · s · (1 − m)^max(t − t_est, 0), times (1 − f) for each thinning (age, f) done
    by age t."""
    t = np.asarray(age_years, dtype=np.float64)
    n = n_planted * survival * (1.0 - mortality) ** np.maximum(t - establishment_age, 0.0)
    for event_age, removed in thinning:
        n = np.where(t >= event_age, n * (1.0 - removed), n)
    return n


@dataclass(frozen=True)
class Cohort:
    """Trees of one species planted in one project year (year 0 = start; replanting = a later
    cohort). Unset survival, mortality, wood density or growth group come from the parameters,
    the wood density table and the taxonomy tables."""

    species: str
    n_planted: float
    planting_year: int = 0
    growth_group: str | None = None
    wood_density: float | None = None
    survival: float | None = None
    mortality: float | None = None
    thinning: tuple[tuple[float, float], ...] = ()
    label: str = ""


@dataclass(frozen=True)
class TreeTrajectory:
    """One average surviving tree of a cohort by age."""

    ages: np.ndarray
    dbh_cm: np.ndarray
    height_m: np.ndarray
    agb_kg: np.ndarray
    co2e_kg: np.ndarray


def tree_trajectory(
    ages: npt.ArrayLike,
    curve: GrowthCurve,
    *,
    wood_density: float,
    params: CarbonParameters,
    equation: str | None = None,
    hd_model: hd_models.HDModel | None = None,
) -> TreeTrajectory:
    """D, H, credited AGB and CO2e (kg) of one tree at the given ages."""
    years = np.asarray(ages, dtype=np.float64)
    d = chapman_richards(years, curve)
    h = _heights(d, params, hd_model)
    eq = equation or params.default_equation
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = allometry.agb_kg(eq, d, h, np.full_like(d, wood_density), params.e_index)
    raw = np.where(d > 0, raw, 0.0)
    agb = allometry.credited_agb(raw, d, params.dmin_cm, np.full(d.shape, True))
    bgb = biomass.bgb_from_ratio(agb, params.root_shoot_ratio)
    co2e = biomass.co2e(biomass.carbon(agb, bgb, params.carbon_fraction))
    return TreeTrajectory(years, d, h, agb, co2e)


def _heights(
    d: np.ndarray, params: CarbonParameters, hd_model: hd_models.HDModel | None
) -> np.ndarray:
    if hd_model is not None:
        return hd_model.predict(d)
    method = params.height_method
    if method in (height.METHOD_LOCAL, height.METHOD_MEASURED):
        method = params.height_fallback
    if method == height.METHOD_CHAVE_E:
        if params.e_index is None:  # the parameter set's cross-field check refuses this
            raise ParameterError("e_index", "the chave_e height method needs E")
        return height.chave_e_height(d, params.e_index)
    return height.feldpausch_height(d, params.feldpausch_region)


@dataclass(frozen=True)
class ExAnteProjection:
    """Projected stock per project year (t CO2e), by cohort and in total, and the cap."""

    years: np.ndarray
    stock_t_co2e: np.ndarray
    cohort_stock_t_co2e: np.ndarray
    cohorts: tuple[Cohort, ...]
    wood_densities: tuple[float, ...]
    growth_groups: tuple[str, ...]
    long_term_average: float
    end_stock: float
    cap_rule: str
    cap: float
    parameters_fingerprint: str
    method_version: str = METHOD_VERSION

    def to_dict(self) -> dict[str, Any]:
        return {
            "years": self.years.tolist(),
            "stock_t_co2e": self.stock_t_co2e.tolist(),
            "cohorts": [
                {
                    "species": c.species,
                    "label": c.label,
                    "n_planted": c.n_planted,
                    "planting_year": c.planting_year,
                    "growth_group": g,
                    "wood_density": w,
                    "stock_t_co2e": row.tolist(),
                }
                for c, g, w, row in zip(
                    self.cohorts,
                    self.growth_groups,
                    self.wood_densities,
                    self.cohort_stock_t_co2e,
                    strict=True,
                )
            ],
            "long_term_average": self.long_term_average,
            "end_stock": self.end_stock,
            "cap_rule": self.cap_rule,
            "cap": self.cap,
            "parameters_fingerprint": self.parameters_fingerprint,
            "method_version": self.method_version,
        }


def long_term_average(stock_by_year: npt.ArrayLike) -> float:
    """LTA = (1/T) Σ_{t=1..T} C(t)."""
    return float(np.mean(np.asarray(stock_by_year, dtype=np.float64)))


def project_exante(
    cohorts: Sequence[Cohort],
    params: CarbonParameters,
    *,
    hd_model: hd_models.HDModel | None = None,
) -> ExAnteProjection:
    """Stock per project year 1..``crediting_period_years`` of all cohorts, LTA and cap."""
    years = np.arange(1, params.crediting_period_years + 1)
    groups = [_growth_group(c, params) for c in cohorts]
    densities = [_wood_density(c, params) for c in cohorts]
    rows = [
        _cohort_stock(c, years, params.growth_curves[g], rho, params, hd_model)
        for c, g, rho in zip(cohorts, groups, densities, strict=True)
    ]
    by_cohort = np.vstack(rows) if rows else np.zeros((0, years.size))
    stock = by_cohort.sum(axis=0)
    rule = params.cap_rule
    if rule == CAP_AUTO:
        rule = CAP_LTA if any(c.thinning for c in cohorts) else CAP_END_STOCK
    lta, end = long_term_average(stock), float(stock[-1])
    return ExAnteProjection(
        years=years,
        stock_t_co2e=stock,
        cohort_stock_t_co2e=by_cohort,
        cohorts=tuple(cohorts),
        wood_densities=tuple(densities),
        growth_groups=tuple(groups),
        long_term_average=lta,
        end_stock=end,
        cap_rule=rule,
        cap=lta if rule == CAP_LTA else end,
        parameters_fingerprint=params.fingerprint(),
    )


def _cohort_stock(
    cohort: Cohort,
    years: np.ndarray,
    curve: GrowthCurve,
    rho: float,
    params: CarbonParameters,
    hd_model: hd_models.HDModel | None,
) -> np.ndarray:
    ages = years - cohort.planting_year
    tree = tree_trajectory(
        ages,
        curve,
        wood_density=rho,
        params=params,
        equation=_equation(cohort, params),
        hd_model=hd_model,
    )
    n = survivors(
        cohort.n_planted,
        ages,
        survival=_or(cohort.survival, params.establishment_survival),
        mortality=_or(cohort.mortality, params.annual_mortality),
        establishment_age=params.establishment_age_years,
        thinning=cohort.thinning,
    )
    stock: np.ndarray = np.where(ages > 0, n * tree.co2e_kg / 1000.0, 0.0)
    return stock


def _or(value: float | None, default: float) -> float:
    return default if value is None else value


def _equation(cohort: Cohort, params: CarbonParameters) -> str:
    """The species' equation, refusing growth forms the parameter set excludes (§3.4)."""
    taxon = taxonomy.resolve(cohort.species, use_synonyms=params.use_synonyms)
    chosen = next(
        (
            params.species_equations[k]
            for k in (taxon.binomial, taxon.genus)
            if k in params.species_equations
        ),
        None,
    )
    if chosen is None and taxon.growth_form in params.exclude_growth_forms:
        raise CarbonInputError(
            [_cohort_error(cohort, "growth form %(form)s is excluded", form=taxon.growth_form)]
        )
    return chosen or params.default_equation


def _growth_group(cohort: Cohort, params: CarbonParameters) -> str:
    group: str | None
    if cohort.growth_group:
        group = cohort.growth_group
    else:
        taxon = taxonomy.resolve(cohort.species, use_synonyms=params.use_synonyms)
        keys = [taxon.binomial, taxon.genus]
        group = next(
            (params.species_growth_groups[k] for k in keys if k in params.species_growth_groups),
            None,
        )
        defaults = taxonomy.default_growth_groups()
        group = group or next((defaults[k] for k in keys if k in defaults), None)
    if group is None or group not in params.growth_curves:
        raise CarbonInputError(
            [_cohort_error(cohort, "no growth curve (group %(group)s)", group=str(group))]
        )
    return group


def _wood_density(cohort: Cohort, params: CarbonParameters) -> float:
    if cohort.wood_density is not None:
        return float(cohort.wood_density)
    taxon = taxonomy.resolve(cohort.species, use_synonyms=params.use_synonyms)
    table = load_table(params.wood_density_table, params.wood_density_region)
    value = taxon_values([taxon], table, params.local_wood_density)[0]
    if value is None:
        raise CarbonInputError(
            [_cohort_error(cohort, "no wood density at species, genus or family level; give one")]
        )
    return value.wd


def _cohort_error(cohort: Cohort, reason: str, **params: object) -> Notice:
    return Notice(
        "exante.cohort",
        gettext_noop("cohort %(species)s planted in year %(year)d: ") + reason,
        {"species": cohort.species, "year": cohort.planting_year, **params},
    )


@dataclass(frozen=True)
class ExAnteCredits:
    """Ex-ante units from a projection: cap − baseline − leakage, then the buffer (Decimal t)."""

    cap: Decimal
    baseline: Decimal
    leakage: Decimal
    net: Decimal
    buffer_fraction: Decimal
    buffer_exact: Decimal
    buffer: int
    issuable_exact: Decimal
    issuable: int


def exante_credits(
    projection: ExAnteProjection,
    params: CarbonParameters,
    *,
    baseline: Decimal | float = 0,
    leakage: Decimal | float = 0,
) -> ExAnteCredits:
    """Expected credits over the period, rounded like issuance (buffer up, credits down)."""
    cap = tonnes(projection.cap)
    net = max(cap - tonnes(baseline) - tonnes(leakage), Decimal(0))
    share = fraction(params.buffer_fraction)
    buffer_exact = tonnes(share * net)
    whole = int(net.to_integral_value(rounding=ROUND_FLOOR))
    buffer = min(int(buffer_exact.to_integral_value(rounding=ROUND_CEILING)), whole)
    return ExAnteCredits(
        cap=cap,
        baseline=tonnes(baseline),
        leakage=tonnes(leakage),
        net=net,
        buffer_fraction=share,
        buffer_exact=buffer_exact,
        buffer=buffer,
        issuable_exact=net - buffer_exact,
        issuable=whole - buffer,
    )
