"""Simulated tree growth for the demo's monitoring plots (no database).

Diameters follow Chapman–Richards, D(t) = Dmax·(1 − e^(−k·t))^p; each tree gets its own Dmax
and k (log-normal spread), so the carbon engine has realistic scatter to fit. Heights use a
saturating H–D curve per group. The same group curves, survival and mortality go into the
demo's parameter set (`demo_parameters`), so the ex-ante projection and the simulated
monitoring tell the same story.

The methods spec's §9.1 values are illustrative starting values; with them the demo claimed
about 20 tCO2e/ha/yr, several times what smallholder coffee-agroforestry projects report. The
values below are calibrated to published growth of Selva Central species in smallholder
agroforestry (sources beside each group; see also demo/README.md), so the demo lands
at about 3–7 tCO2e/ha/yr ex ante and ex post, the range of comparable projects (a VCS coffee
agroforestry project in northern Peru projects 1.3 Mt over 8,250 ha and 30 years, ≈ 5).
"""

import math
from dataclasses import dataclass

import numpy as np

from parcels.choices import GrowthGroup

# group: (Dmax cm, k 1/yr, p, Hmax m)
GROUP_PARAMETERS = {
    # Bolaina (Guazuma crinita), pashaco: about 4 cm/yr of DBH in the first 5 years in
    # agroforestry on acid soils of the Chanchamayo valley (Villachica et al. 1993) and 3.3 cm/yr
    # in strip plantings (Baldoceda et al. 1991), both as cited in bolaina growth studies from
    # Ucayali; site dominates early growth (Weber & Sotelo Montes 2008, New Forests 36:29–52).
    # Short-lived: D levels off near 30 cm. D(5) ≈ 19 cm, D(10) ≈ 27 cm.
    GrowthGroup.FAST_PIONEER: (32.0, 0.22, 1.3, 24.0),
    # Laurel, cedro, caoba, capirona, tornillo as timber shade in coffee, at the stand densities
    # of Cordia alliodora shade in small coffee farms (Somarriba 1990, Agroforestry Systems
    # 10:253–263); cedro and caoba slowed by the shoot borer Hypsipyla grandella. About 2 cm/yr
    # of DBH in the first decade: D(10) ≈ 19 cm, D(30) ≈ 33 cm.
    GrowthGroup.MEDIUM_NATIVE: (36.0, 0.09, 1.2, 25.0),
    # Guaba (Inga), amasisa (Erythrina): pollarded or pruned every year or two for the coffee
    # below, so their standing biomass stays low (Ehrenbergerová et al. 2019, Bois et Forêts
    # des Tropiques 342:93–103, Inga-shaded coffee in Peru). D(10) ≈ 17 cm.
    GrowthGroup.SERVICE_SHADE: (28.0, 0.10, 1.1, 12.0),
    # Eucalipto, pino in smallholder woodlots without intensive silviculture: D(10) ≈ 20 cm.
    GrowthGroup.EXOTIC: (30.0, 0.12, 1.2, 26.0),
}
# Establishment survival drawn per cohort (first count, a year after planting) and annual
# mortality afterwards (assumed, for plantings without irrigation that lose trees to drought,
# weeding, cattle and firewood felling).
ESTABLISHMENT_SURVIVAL = (0.65, 0.90)
ANNUAL_MORTALITY = 0.015
MIN_DBH_CM = 0.5
MIN_HEIGHT_M = 1.6  # a tree with a DBH is taller than breast height (1.3 m)
BREAST_HEIGHT_M = 1.3
HD_RATE = 0.045


@dataclass(frozen=True)
class Tree:
    """One simulated tree: its growth parameters and the age (years) at which it dies."""

    dmax: float
    k: float
    p: float
    hmax: float
    death_age: float

    def dbh(self, age: float) -> float:
        """Diameter at breast height (cm) at `age` years after planting."""
        grown = self.dmax * (1 - math.exp(-self.k * max(age, 0.0))) ** self.p
        return max(grown, MIN_DBH_CM)

    def height(self, dbh: float, noise: float) -> float:
        """Height (m) for `dbh`, times a multiplicative `noise` around 1."""
        curve = BREAST_HEIGHT_M + (self.hmax - BREAST_HEIGHT_M) * (1 - math.exp(-HD_RATE * dbh))
        return max(curve * noise, MIN_HEIGHT_M)


def demo_parameters(defaults: dict) -> dict:
    """The demo's carbon parameter set: `defaults` with the curves and survival above."""
    low, high = ESTABLISHMENT_SURVIVAL
    curves = {
        str(g): {"dmax_cm": d, "k": k, "p": p} for g, (d, k, p, _h) in GROUP_PARAMETERS.items()
    }
    return {
        **defaults,
        "growth_curves": {**defaults["growth_curves"], **curves},
        "establishment_survival": round((low + high) / 2, 3),
        "annual_mortality": ANNUAL_MORTALITY,
    }


def draw_tree(group: str, rng: np.random.Generator, *, annual_mortality: float) -> Tree:
    """A tree of growth `group` with individual Dmax, k, Hmax and a geometric death age."""
    dmax, k, p, hmax = GROUP_PARAMETERS.get(group, GROUP_PARAMETERS[GrowthGroup.MEDIUM_NATIVE])
    return Tree(
        dmax=dmax * rng.lognormal(0, 0.15),
        k=k * rng.lognormal(0, 0.2),
        p=p,
        hmax=hmax * rng.lognormal(0, 0.1),
        death_age=float(rng.geometric(annual_mortality)) + rng.random(),
    )
