"""Demo step 7: the plantings of 2010–2012, their replantings and survival counts."""

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from demo import catalogue, growth
from demo.context import CHANGE_REASON, DemoContext, day, pick
from parcels.bulk import record_plantings, record_survival_counts
from parcels.choices import ParcelStatus
from parcels.models import Parcel, Planting, Species, SurvivalCount

LAST_PLANTING = dt.date(2012, 12, 31)
LAST_REPLANTED = dt.date(2011, 11, 30)  # its replanting, a year later, still falls in 2012
REPLANTING_SHARE = 0.2


@dataclass
class _Tally:
    """Native and exotic trees planted so far, to keep about 80% of the trees native."""

    native: int = 0
    exotic: int = 0

    def prefers_exotic(self, exotic_trees: int, native_trees: int) -> bool:
        """Whether planting the exotic cohort keeps the exotic share closer to the target."""
        total = self.native + self.exotic
        with_exotic = (self.exotic + exotic_trees) / (total + exotic_trees)
        with_native = self.exotic / (total + native_trees)
        target = catalogue.EXOTIC_TREE_SHARE
        return abs(with_exotic - target) <= abs(with_native - target)


def step_plantings(ctx: DemoContext, rng: np.random.Generator) -> None:
    """Cohorts planted 2010–2012 after each agreement, some replantings, survival counts."""
    tally = _Tally()
    originals = []
    specs = {s.code: s for s in catalogue.STRATA}
    for parcel in ctx.parcels:
        if parcel.status != ParcelStatus.REJECTED:
            originals += _cohorts(ctx, parcel, specs[parcel.stratum.code], tally, rng)
    originals = record_plantings(rows=originals, reason=CHANGE_REASON)
    counts = [
        _count(p, p.planted_on + dt.timedelta(days=365), rng, p.trees_planted) for p in originals
    ]
    replantings = record_plantings(
        rows=[r for p, c in zip(originals, counts, strict=True) if (r := _replanting(p, c, rng))],
        reason=CHANGE_REASON,
    )
    counts += [
        _count(p, p.planted_on + dt.timedelta(days=365), rng, p.trees_planted) for p in replantings
    ]
    counts += [
        _count(c.planting, day(dt.date(2016, 7, 1), rng, 60), rng, c.trees_alive) for c in counts
    ]
    record_survival_counts(rows=counts, reason=CHANGE_REASON)
    for planting in (*originals, *replantings):
        ctx.plantings.setdefault(planting.parcel.code, []).append(planting)
    ctx.alive = {c.planting.pk: c.trees_alive for c in counts}  # later counts come last


def _cohorts(ctx: DemoContext, parcel: Parcel, spec, tally: _Tally, rng) -> list[Planting]:
    count = int(rng.integers(spec.cohorts[0], spec.cohorts[1] + 1))
    shares = rng.dirichlet(np.full(count, 2.0))
    density = rng.uniform(*spec.density_per_ha)
    start = _planting_start(parcel.smallholder.agreement_signed_on, rng)
    weights = dict(spec.species_weights)
    cohorts = []
    for share in shares:
        species, trees = _choose_species(ctx, parcel, weights, density * share, tally, rng)
        weights.pop(species.scientific_name)
        cohorts.append(
            Planting(
                parcel=parcel,
                species=species,
                planted_on=min(day(start, rng, 40), LAST_PLANTING),
                trees_planted=trees,
                arrangement=str(rng.choice(spec.arrangements)),
            )
        )
    return cohorts


def _planting_start(agreement: dt.date, rng: np.random.Generator) -> dt.date:
    """The first rainy-season day (November–March) at least a month after the agreement."""
    start = day(agreement + dt.timedelta(days=30), rng, 60)
    if 4 <= start.month <= 10:
        start = day(dt.date(start.year, 11, 1), rng, 45)
    return min(start, LAST_PLANTING - dt.timedelta(days=40))


def _choose_species(ctx, parcel: Parcel, weights: dict, density: float, tally: _Tally, rng):
    """A species of the stratum's mix and its tree count, keeping ~20% of the trees exotic.

    Where the mix has both, a native and an exotic candidate are drawn by weight and the one
    that keeps the running exotic share closer to the target wins.
    """
    natives = {n: w for n, w in weights.items() if ctx.species[n].native_to_peru}
    exotics = {n: w for n, w in weights.items() if n not in natives}
    species = ctx.species[pick(rng, natives or exotics)]
    trees = _trees(species, parcel.area_ha, density)
    if natives and exotics:
        exotic = ctx.species[pick(rng, exotics)]
        exotic_trees = _trees(exotic, parcel.area_ha, density)
        if tally.prefers_exotic(exotic_trees, trees):
            species, trees = exotic, exotic_trees
    if species.native_to_peru:
        tally.native += trees
    else:
        tally.exotic += trees
    return species, trees


def _trees(species: Species, area_ha: Decimal, density: float) -> int:
    """Trees for `density` per ha, kept inside the species' plausible density range."""
    low = math.ceil(species.min_density_per_ha * float(area_ha))
    high = math.floor(species.max_density_per_ha * float(area_ha))
    return int(np.clip(round(density * float(area_ha)), low, high))


def _count(planting: Planting, on: dt.date, rng, alive_before: int) -> SurvivalCount:
    """A survival count: establishment losses in the first year, then ~2.5% a year."""
    first = on - planting.planted_on < dt.timedelta(days=400)
    survival = (
        rng.uniform(*growth.ESTABLISHMENT_SURVIVAL) if first else (1 - growth.ANNUAL_MORTALITY) ** 4
    )
    alive = int(rng.binomial(alive_before, survival))
    return SurvivalCount(planting=planting, counted_on=on, trees_alive=alive)


def _replanting(original: Planting, count: SurvivalCount, rng) -> Planting | None:
    """A replanting of the dead seedlings a year later (for ~20% of the cohorts up to 2011)."""
    if original.planted_on > LAST_REPLANTED or rng.random() >= REPLANTING_SHARE:
        return None
    species, area = original.species, original.parcel.area_ha
    trees = max(original.trees_planted - count.trees_alive, 1)
    trees = _trees(species, area, trees / float(area))
    return Planting(
        parcel=original.parcel,
        species=species,
        planted_on=day(original.planted_on + dt.timedelta(days=360), rng, 20),
        trees_planted=trees,
        arrangement=original.arrangement,
        replanting_of=original,
        notes="Recalce de plantones muertos en el primer año.",
    )
