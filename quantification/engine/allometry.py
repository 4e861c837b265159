"""Tree-level above-ground biomass (AGB) equations, vectorised with numpy (carbon-methods §3).

Units everywhere: D (``d_cm``) in cm at 1.3 m, H (``h_m``) in m, wood density (``wd``) in
g cm⁻³, E dimensionless; every function returns AGB in **kg of dry mass** per stem.

Equation ids are stable strings stored with every result; never rename one, add a new id.
Nothing here knows about species: the pipeline decides which equation a row gets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt

# --- equation ids ------------------------------------------------------------------------------
EQ_CHAVE2014_EQ4 = "chave2014_eq4"
EQ_CHAVE2014_EQ7 = "chave2014_eq7"
EQ_CHAVE2014_EQ7_BIOMASS = "chave2014_eq7_biomass"
EQ_CHAVE2005_MOIST_H = "chave2005_moist_h"
EQ_CHAVE2005_MOIST = "chave2005_moist"
EQ_SEGURA2006_COFFEE = "segura2006_coffee"
EQ_SEGURA2006_CORDIA = "segura2006_cordia"
EQ_SEGURA2006_JUGLANS = "segura2006_juglans"
EQ_SEGURA2006_INGA = "segura2006_inga"
#: Label of rows that went through no equation because of their growth form ("excluded:palm").
EQ_EXCLUDED = "excluded"


@dataclass(frozen=True)
class Equation:
    """What an equation needs and where it is valid.

    ``diameter`` is ``"dbh"`` (at 1.3 m) or ``"d15"`` (coffee stems at 15 cm; the pipeline reads
    it from the same ``dbh_cm`` column, the field protocol records d15 there for coffee).
    ``applies_dmin``: the project's minimum diameter (§3.5) zeroes credited AGB below it.
    ``agb_range_kg``: sampled range of the fit; results outside are flagged, not changed.
    """

    id: str
    needs_height: bool
    needs_wood_density: bool
    needs_e: bool
    diameter: str
    applies_dmin: bool
    agb_range_kg: tuple[float, float] | None
    status: str
    citation: str


_CHAVE14 = "Chave et al. 2014, Global Change Biology 20:3177, doi:10.1111/gcb.12629"
_CHAVE05 = "Chave et al. 2005, Oecologia 145:87, doi:10.1007/s00442-005-0100-x"
_REJOU17 = "Réjou-Méchain et al. 2017 (BIOMASS computeAGB refit of Chave 2014 Eq. 7)"
_SEGURA = (
    "Segura, Kanninen & Suárez 2006, Agroforestry Systems 68:143, doi:10.1007/s10457-006-9005-x"
)
_TREES_KG = (3.5, 386.0)

EQUATIONS: Mapping[str, Equation] = MappingProxyType(
    {
        EQ_CHAVE2014_EQ4: Equation(
            EQ_CHAVE2014_EQ4, True, True, False, "dbh", True, None, "V", _CHAVE14
        ),
        EQ_CHAVE2014_EQ7: Equation(
            EQ_CHAVE2014_EQ7, False, True, True, "dbh", True, None, "P", _CHAVE14
        ),
        EQ_CHAVE2014_EQ7_BIOMASS: Equation(
            EQ_CHAVE2014_EQ7_BIOMASS, False, True, True, "dbh", True, None, "V", _REJOU17
        ),
        EQ_CHAVE2005_MOIST_H: Equation(
            EQ_CHAVE2005_MOIST_H, True, True, False, "dbh", True, None, "P", _CHAVE05
        ),
        EQ_CHAVE2005_MOIST: Equation(
            EQ_CHAVE2005_MOIST, False, True, False, "dbh", True, None, "P", _CHAVE05
        ),
        EQ_SEGURA2006_COFFEE: Equation(
            EQ_SEGURA2006_COFFEE, True, False, False, "d15", False, (0.005, 2.8), "P", _SEGURA
        ),
        EQ_SEGURA2006_CORDIA: Equation(
            EQ_SEGURA2006_CORDIA, False, False, False, "dbh", True, _TREES_KG, "P", _SEGURA
        ),
        EQ_SEGURA2006_JUGLANS: Equation(
            EQ_SEGURA2006_JUGLANS, False, False, False, "dbh", True, _TREES_KG, "P", _SEGURA
        ),
        EQ_SEGURA2006_INGA: Equation(
            EQ_SEGURA2006_INGA, False, False, False, "dbh", True, _TREES_KG, "CHECK", _SEGURA
        ),
    }
)

# --- plausibility flags (bit mask per row) -------------------------------------------------------
FLAG_D_NOT_POSITIVE = 1 << 0
FLAG_D_OVER_150 = 1 << 1
FLAG_HD_IMPLAUSIBLE = 1 << 2
FLAG_H_OVER_60 = 1 << 3
FLAG_WD_OUT_OF_RANGE = 1 << 4
FLAG_H_AT_MOST_1_3 = 1 << 5
FLAG_BELOW_DMIN = 1 << 6
FLAG_EXCLUDED_GROWTH_FORM = 1 << 7
FLAG_NOT_ALIVE = 1 << 8
FLAG_OUTSIDE_EQUATION_RANGE = 1 << 9
FLAG_D_DECREASE = 1 << 10

FLAG_NAMES: Mapping[int, str] = MappingProxyType(
    {
        FLAG_D_NOT_POSITIVE: "d_not_positive",
        FLAG_D_OVER_150: "d_over_150",
        FLAG_HD_IMPLAUSIBLE: "hd_implausible",
        FLAG_H_OVER_60: "h_over_60",
        FLAG_WD_OUT_OF_RANGE: "wd_out_of_range",
        FLAG_H_AT_MOST_1_3: "h_at_most_1_3",
        FLAG_BELOW_DMIN: "below_dmin",
        FLAG_EXCLUDED_GROWTH_FORM: "excluded_growth_form",
        FLAG_NOT_ALIVE: "not_alive",
        FLAG_OUTSIDE_EQUATION_RANGE: "outside_equation_range",
        FLAG_D_DECREASE: "d_decrease",
    }
)

#: GWDD range used by BIOMASS for wood density (g cm⁻³).
WD_RANGE = (0.08, 1.39)
D_LARGE_CM = 150.0
H_MAX_M = 60.0
BREAST_HEIGHT_M = 1.3
#: A live tree whose D shrank by more than this fraction since the last census is flagged.
D_DECREASE_FRACTION = 0.05


def describe_flags(mask: int) -> tuple[str, ...]:
    """Names of the flags set in one row's mask, in bit order."""
    return tuple(name for bit, name in FLAG_NAMES.items() if int(mask) & bit)


# --- the equations -------------------------------------------------------------------------------
def _f(x: npt.ArrayLike) -> npt.NDArray[np.float64]:
    return np.asarray(x, dtype=np.float64)


def chave2014_eq4(d_cm: npt.ArrayLike, h_m: npt.ArrayLike, wd: npt.ArrayLike) -> np.ndarray:
    """Chave 2014 Eq. 4: AGB = 0.0673 (ρ D² H)^0.976 (bias correction already included)."""
    d, h, w = _f(d_cm), _f(h_m), _f(wd)
    agb: np.ndarray = 0.0673 * np.power(w * h * d**2, 0.976)
    return agb


def chave2014_eq7(d_cm: npt.ArrayLike, wd: npt.ArrayLike, e: npt.ArrayLike) -> np.ndarray:
    """Chave 2014 Eq. 7 as published (no height; E = environmental stress index)."""
    ln_d = np.log(_f(d_cm))
    agb: np.ndarray = np.exp(
        -1.803 - 0.976 * _f(e) + 0.976 * np.log(_f(wd)) + 2.673 * ln_d - 0.0299 * ln_d**2
    )
    return agb


def chave2014_eq7_biomass(d_cm: npt.ArrayLike, wd: npt.ArrayLike, e: npt.ArrayLike) -> np.ndarray:
    """The Eq. 7 refit used by BIOMASS ``computeAGB(coord=...)`` (Réjou-Méchain et al. 2017)."""
    ln_d = np.log(_f(d_cm))
    agb: np.ndarray = np.exp(
        -2.023977
        - 0.89563505 * _f(e)
        + 0.92023559 * np.log(_f(wd))
        + 2.79495823 * ln_d
        - 0.04606298 * ln_d**2
    )
    return agb


def chave2005_moist_h(d_cm: npt.ArrayLike, h_m: npt.ArrayLike, wd: npt.ArrayLike) -> np.ndarray:
    """Chave 2005 moist forest with height: AGB = 0.0509 ρ D² H."""
    agb: np.ndarray = 0.0509 * _f(wd) * _f(d_cm) ** 2 * _f(h_m)
    return agb


def chave2005_moist(d_cm: npt.ArrayLike, wd: npt.ArrayLike) -> np.ndarray:
    """Chave 2005 moist forest without height (cubic in ln D)."""
    ln_d = np.log(_f(d_cm))
    agb: np.ndarray = _f(wd) * np.exp(-1.499 + 2.148 * ln_d + 0.207 * ln_d**2 - 0.0281 * ln_d**3)
    return agb


def segura2006_coffee(d15_cm: npt.ArrayLike, h_m: npt.ArrayLike) -> np.ndarray:
    """Segura 2006 *Coffea arabica*: log10 AGB = −1.113 + 1.578 log10 d15 + 0.581 log10 h."""
    agb: np.ndarray = np.power(
        10.0, -1.113 + 1.578 * np.log10(_f(d15_cm)) + 0.581 * np.log10(_f(h_m))
    )
    return agb


def _segura_tree(a: float, b: float, d_cm: npt.ArrayLike) -> np.ndarray:
    agb: np.ndarray = np.power(10.0, a + b * np.log10(_f(d_cm)))
    return agb


def segura2006_cordia(d_cm: npt.ArrayLike) -> np.ndarray:
    """Segura 2006 *Cordia alliodora*: log10 AGB = −0.755 + 2.072 log10 D."""
    return _segura_tree(-0.755, 2.072, d_cm)


def segura2006_juglans(d_cm: npt.ArrayLike) -> np.ndarray:
    """Segura 2006 *Juglans olanchana*: log10 AGB = −1.417 + 2.755 log10 D."""
    return _segura_tree(-1.417, 2.755, d_cm)


def segura2006_inga(d_cm: npt.ArrayLike) -> np.ndarray:
    """Segura 2006 *Inga* spp. [CHECK coefficients]: log10 AGB = −0.889 + 2.317 log10 D."""
    return _segura_tree(-0.889, 2.317, d_cm)


def agb_kg(
    equation: str,
    d_cm: npt.ArrayLike,
    h_m: npt.ArrayLike | None = None,
    wd: npt.ArrayLike | None = None,
    e: float | None = None,
) -> np.ndarray:
    """AGB (kg) of every stem with one equation; raises ``KeyError`` for an unknown id and
    ``ValueError`` when an input the equation needs is missing."""
    spec = EQUATIONS[equation]
    if spec.needs_height and h_m is None:
        raise ValueError(f"{equation} needs heights")
    if spec.needs_wood_density and wd is None:
        raise ValueError(f"{equation} needs wood densities")
    if spec.needs_e and e is None:
        raise ValueError(f"{equation} needs the environmental index E")
    with np.errstate(divide="ignore", invalid="ignore"):
        return _dispatch(equation, d_cm, h_m, wd, e)


# h, wd and e are Any: agb_kg has checked that the inputs this equation needs are not None.
def _dispatch(equation: str, d: npt.ArrayLike, h: Any, wd: Any, e: Any) -> np.ndarray:
    if equation == EQ_CHAVE2014_EQ4:
        return chave2014_eq4(d, h, wd)
    if equation == EQ_CHAVE2014_EQ7:
        return chave2014_eq7(d, wd, e)
    if equation == EQ_CHAVE2014_EQ7_BIOMASS:
        return chave2014_eq7_biomass(d, wd, e)
    if equation == EQ_CHAVE2005_MOIST_H:
        return chave2005_moist_h(d, h, wd)
    if equation == EQ_CHAVE2005_MOIST:
        return chave2005_moist(d, wd)
    if equation == EQ_SEGURA2006_COFFEE:
        return segura2006_coffee(d, h)
    return {
        EQ_SEGURA2006_CORDIA: segura2006_cordia,
        EQ_SEGURA2006_JUGLANS: segura2006_juglans,
        EQ_SEGURA2006_INGA: segura2006_inga,
    }[equation](d)


def agb_by_equation(
    eq_codes: np.ndarray,
    eq_labels: tuple[str, ...],
    d_cm: np.ndarray,
    h_m: np.ndarray,
    wd: np.ndarray,
    e: float | None,
) -> np.ndarray:
    """Raw AGB (kg) per row where row ``i`` uses equation ``eq_labels[eq_codes[i]]``.

    Labels that are not equation ids (e.g. ``"excluded:palm"``) give NaN. One numpy pass per
    distinct equation, so the cost does not depend on how many species there are.
    """
    out = np.full(d_cm.shape, np.nan)
    for code, label in enumerate(eq_labels):
        if label not in EQUATIONS:
            continue
        rows = np.flatnonzero(eq_codes == code)
        if rows.size:
            out[rows] = agb_kg(label, d_cm[rows], h_m[rows], wd[rows], e)
    return out


def credited_agb(
    agb_raw: np.ndarray, d_cm: np.ndarray, dmin_cm: float, dmin_applies: np.ndarray
) -> np.ndarray:
    """Dmin rule (§3.5): credited AGB is 0 where D < Dmin and the equation applies Dmin.

    The raw value is kept by the caller for information (example T6).
    """
    below = dmin_applies & (d_cm < dmin_cm)
    return np.where(below, 0.0, agb_raw)


def sum_stems(
    group_codes: np.ndarray, values: np.ndarray, n_groups: int | None = None
) -> np.ndarray:
    """Sum per-stem values into per-tree values (multi-stem trees, §3.5: never average D).

    ``group_codes`` are 0-based tree indices per stem row; returns one value per tree.
    """
    return np.bincount(group_codes, weights=values, minlength=n_groups or 0)


@dataclass(frozen=True)
class PlausibilityBounds:
    """Review thresholds; a flag never changes a number, it asks for a data-entry check."""

    hd_ratio_min: float = 0.125  # m per cm; field data rule "warn if dbh_cm > 8 * height_m"
    hd_ratio_max: float = 1.5  # m per cm; slenderness H/D = 150


def plausibility_flags(
    d_cm: np.ndarray,
    h_m: np.ndarray,
    wd: np.ndarray,
    *,
    h_measured: np.ndarray,
    previous_d_cm: np.ndarray | None = None,
    alive: np.ndarray | None = None,
    bounds: PlausibilityBounds = PlausibilityBounds(),  # noqa: B008 - frozen, immutable
) -> np.ndarray:
    """Bit mask of the §3.5 input checks per row (uint32). NaN inputs raise no flag except D.

    H/D bounds apply only to measured heights: a modelled height is plausible by construction.
    """
    flags = np.zeros(d_cm.shape, dtype=np.uint32)
    with np.errstate(invalid="ignore", divide="ignore"):
        _set(flags, ~(d_cm > 0), FLAG_D_NOT_POSITIVE)
        _set(flags, d_cm > D_LARGE_CM, FLAG_D_OVER_150)
        _set(flags, h_m > H_MAX_M, FLAG_H_OVER_60)
        _set(flags, (h_m <= BREAST_HEIGHT_M) & (d_cm > 0), FLAG_H_AT_MOST_1_3)
        _set(flags, (wd < WD_RANGE[0]) | (wd > WD_RANGE[1]), FLAG_WD_OUT_OF_RANGE)
        ratio = h_m / d_cm
        odd = (ratio < bounds.hd_ratio_min) | (ratio > bounds.hd_ratio_max)
        _set(flags, h_measured & (d_cm > 0) & odd, FLAG_HD_IMPLAUSIBLE)
        if previous_d_cm is not None:
            live = np.ones(d_cm.shape, bool) if alive is None else alive
            shrank = d_cm < previous_d_cm * (1.0 - D_DECREASE_FRACTION)
            _set(flags, live & shrank, FLAG_D_DECREASE)
    return flags


def _set(flags: np.ndarray, where: np.ndarray, bit: int) -> None:
    flags[where] |= np.uint32(bit)
