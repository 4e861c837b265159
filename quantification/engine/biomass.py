"""Below-ground biomass, carbon and CO2 equivalents (carbon-methods §5, §6).

Tree level: BGB = R × AGB (the only tree-level root method). Cairns 1997 and Mokany 2006 are
per-hectare equations: apply them to plot AGB in t ha⁻¹, never to single trees.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .notices import ParameterError

#: Molar mass ratio CO2/C.
CO2_PER_C = 44.0 / 12.0
#: IPCC 2006 Vol. 4 Table 4.3 default carbon fraction of dry matter.
DEFAULT_CARBON_FRACTION = 0.47
#: IPCC 2006 Vol. 4 Table 4.4, tropical mountain systems (project default).
DEFAULT_ROOT_SHOOT = 0.27

BGB_RATIO = "ratio"
BGB_CAIRNS1997 = "cairns1997"
BGB_MOKANY2006 = "mokany2006"
BGB_METHODS = (BGB_RATIO, BGB_CAIRNS1997, BGB_MOKANY2006)


def bgb_from_ratio(agb: npt.ArrayLike, root_shoot: float = DEFAULT_ROOT_SHOOT) -> np.ndarray:
    """BGB = R × AGB (any unit)."""
    return root_shoot * np.asarray(agb, dtype=np.float64)


def cairns1997_bgb_t_ha(agb_t_ha: npt.ArrayLike) -> np.ndarray:
    """Cairns et al. 1997: BGB = exp(−1.085 + 0.9256 ln AGB), t ha⁻¹; 0 where AGB is 0."""
    agb = np.asarray(agb_t_ha, dtype=np.float64)
    with np.errstate(divide="ignore"):
        return np.where(agb > 0, np.exp(-1.085 + 0.9256 * np.log(agb)), 0.0)


def mokany2006_bgb_t_ha(agb_t_ha: npt.ArrayLike) -> np.ndarray:
    """Mokany et al. 2006: BGB = 0.489 AGB^0.890, t ha⁻¹."""
    agb = np.asarray(agb_t_ha, dtype=np.float64)
    return 0.489 * np.power(np.maximum(agb, 0.0), 0.890)


def plot_bgb_t_ha(
    agb_t_ha: npt.ArrayLike, method: str, root_shoot: float = DEFAULT_ROOT_SHOOT
) -> np.ndarray:
    """Per-hectare BGB of plots with the chosen method."""
    if method == BGB_RATIO:
        return bgb_from_ratio(agb_t_ha, root_shoot)
    if method == BGB_CAIRNS1997:
        return cairns1997_bgb_t_ha(agb_t_ha)
    if method == BGB_MOKANY2006:
        return mokany2006_bgb_t_ha(agb_t_ha)
    raise ParameterError("bgb_method", f"unknown method {method!r}")


def carbon(
    agb: npt.ArrayLike, bgb: npt.ArrayLike, carbon_fraction: float = DEFAULT_CARBON_FRACTION
) -> np.ndarray:
    """C = CF × (AGB + BGB), in the unit of the biomass."""
    return carbon_fraction * (np.asarray(agb, dtype=np.float64) + np.asarray(bgb, np.float64))


def co2e(carbon_mass: npt.ArrayLike) -> np.ndarray:
    """CO2e = C × 44/12."""
    return np.asarray(carbon_mass, dtype=np.float64) * CO2_PER_C
