"""Simulated tree growth for the demo's monitoring plots (no database).

Diameters follow Chapman–Richards, D(t) = Dmax·(1 − e^(−k·t))^p, with the illustrative group
parameters of the methods spec (§9.1); each tree gets its own Dmax and k (log-normal spread), so
the carbon engine has realistic scatter to fit. Heights use a saturating H–D curve per group.
"""

import math
from dataclasses import dataclass

import numpy as np

from parcels.choices import GrowthGroup

# group: (Dmax cm, k 1/yr, p, Hmax m)
GROUP_PARAMETERS = {
    GrowthGroup.FAST_PIONEER: (40.0, 0.20, 1.3, 28.0),
    GrowthGroup.MEDIUM_NATIVE: (45.0, 0.12, 1.3, 30.0),
    GrowthGroup.SERVICE_SHADE: (35.0, 0.12, 1.1, 16.0),
    GrowthGroup.EXOTIC: (45.0, 0.15, 1.2, 34.0),
}
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
