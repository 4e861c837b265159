"""Demo step 8: permanent monitoring plots measured in 2015, 2018 and 2022 (simulated growth)."""

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from demo import catalogue, growth, layout
from demo.context import CHANGE_REASON, DemoContext, day
from parcels.bulk_monitoring import record_monitoring_plots, record_tree_measurements
from parcels.choices import Arrangement, GrowthGroup, ParcelStatus, TreeOrigin, TreeStatus
from parcels.models import MonitoringPlot, Parcel, Planting, Species, TreeMeasurement

PLOT_AREA_HA = math.pi * float(catalogue.PLOT_RADIUS_M) ** 2 / 10_000


def step_monitoring(ctx: DemoContext, rng: np.random.Generator) -> None:
    """Permanent 500 m² plots on ~5% of the planted parcels, measured in 2015, 2018 and 2022."""
    visits, trees = [], []
    for number, parcel in enumerate(_plot_parcels(ctx, rng), 1):
        code = f"PMP-{number:03d}"
        plot_visits, plot_trees = _plot(ctx, parcel, code, rng)
        visits += plot_visits
        trees += plot_trees
    record_monitoring_plots(rows=visits, reason=CHANGE_REASON)
    record_tree_measurements(rows=trees, reason=CHANGE_REASON)  # their visits have pks now


def _plot_parcels(ctx: DemoContext, rng: np.random.Generator) -> list[Parcel]:
    """Validated planted parcels, sampled per stratum (at least `MIN_PLOTS_PER_STRATUM` each)."""
    candidates = [
        p for p in ctx.parcels if p.status == ParcelStatus.VALIDATED and p.code in ctx.plantings
    ]
    total = math.ceil(catalogue.PLOT_SHARE * len(candidates))
    chosen = []
    for stratum in ctx.strata.values():
        members = [p for p in candidates if p.stratum_id == stratum.pk]
        share = round(total * len(members) / max(len(candidates), 1))
        wanted = max(catalogue.MIN_PLOTS_PER_STRATUM, share)
        picked = rng.choice(len(members), size=min(wanted, len(members)), replace=False)
        chosen += [members[i] for i in sorted(picked)]
    return chosen


def _plot(ctx: DemoContext, parcel: Parcel, code: str, rng) -> tuple[list, list]:
    shape = ctx.shapes[parcel.code]
    x, y = np.array(shape.centre) + rng.normal(0, 8, 2)
    centre = layout.wgs84_point(float(x), float(y), shape.epsg)
    cohorts = ctx.plantings[parcel.code]
    team = f"Brigada de monitoreo, {parcel.smallholder.cooperative.name}"
    stand = _stand(ctx, parcel, cohorts, rng)
    visits, trees = [], []
    for year in catalogue.PLOT_YEARS:
        visit = MonitoringPlot(
            parcel=parcel,
            code=code,
            centre=centre,
            radius_m=Decimal(catalogue.PLOT_RADIUS_M),
            measured_on=day(dt.date(year, 6, 1), rng, 90),
            team=team,
        )
        visits.append(visit)
        trees += _measure(ctx, visit, stand, rng)
    return visits, trees


@dataclass
class _StandTree:
    tag: str
    species: Species
    planted_on: dt.date
    tree: growth.Tree
    origin: str
    stem_ratios: tuple[float, ...]  # each stem's DBH relative to the main stem
    measured_height: bool
    cut_in_final_visit: bool
    last_dbh: float = 0.0
    gone: bool = False


def _stand(ctx: DemoContext, parcel: Parcel, cohorts: list[Planting], rng) -> list[_StandTree]:
    """The trees standing in the plot at the first visit, drawn from the parcel's cohorts."""
    stand: list[_StandTree] = []
    for cohort in cohorts:
        density = ctx.alive[cohort.pk] / float(parcel.area_ha)
        for _ in range(int(rng.poisson(density * PLOT_AREA_HA))):
            stand.append(
                _stand_tree(
                    cohort.species, cohort.planted_on, TreeOrigin.PLANTED, cohort.arrangement, rng
                )
            )
    if cohorts[0].arrangement == Arrangement.SHADE and rng.random() < 0.5:
        remnant = ctx.species[str(rng.choice(["Cedrela odorata", "Cordia alliodora"]))]
        stand.append(
            _stand_tree(
                remnant, dt.date(1985, 1, 1), TreeOrigin.PRE_EXISTING, Arrangement.DISPERSED, rng
            )
        )
    if not stand:  # a plot with no tree would say nothing; keep one of the main cohort
        stand.append(
            _stand_tree(
                cohorts[0].species,
                cohorts[0].planted_on,
                TreeOrigin.PLANTED,
                cohorts[0].arrangement,
                rng,
            )
        )
    for number, tree in enumerate(stand, 1):
        tree.tag = f"{number:03d}"
    return stand


def _stand_tree(species: Species, planted_on: dt.date, origin: str, arrangement: str, rng):
    group = species.growth_group or _group_of(species)
    multi = group in (GrowthGroup.SERVICE_SHADE, GrowthGroup.FAST_PIONEER) and rng.random() < 0.08
    return _StandTree(
        tag="",
        species=species,
        planted_on=planted_on,
        tree=growth.draw_tree(group, rng, annual_mortality=growth.ANNUAL_MORTALITY),
        origin=origin,
        stem_ratios=(1.0, float(rng.uniform(0.5, 0.8))) if multi else (1.0,),
        measured_height=bool(rng.random() < 0.35),
        cut_in_final_visit=arrangement == Arrangement.WOODLOT
        and not species.native_to_peru
        and bool(rng.random() < 0.15),
    )


def _group_of(species: Species) -> str:
    specs = {s.scientific_name: s.group for s in catalogue.SPECIES}
    return specs.get(species.scientific_name, GrowthGroup.MEDIUM_NATIVE)


def _measure(ctx, visit: MonitoringPlot, stand: list[_StandTree], rng) -> list[TreeMeasurement]:
    rows = []
    final = visit.measured_on.year == catalogue.PLOT_YEARS[-1]
    for tree in stand:
        if tree.gone:
            continue
        age = (visit.measured_on - tree.planted_on).days / 365.25
        status = TreeStatus.ALIVE
        if age >= tree.tree.death_age and tree.origin == TreeOrigin.PLANTED:
            status, tree.gone = TreeStatus.DEAD, True
            age = tree.tree.death_age
        elif final and tree.cut_in_final_visit:
            status, tree.gone = TreeStatus.CUT, True
        dbh = max(tree.tree.dbh(age) + rng.normal(0, 0.3), tree.last_dbh)
        tree.last_dbh = dbh
        height = None
        if tree.measured_height and status == TreeStatus.ALIVE:
            height = tree.tree.height(dbh, rng.lognormal(0, 0.08))
        rows += _stems(visit, tree, status, dbh, height)
    return rows


def _stems(visit, tree: _StandTree, status: str, dbh: float, height) -> list:
    rows = []
    for stem, ratio in enumerate(tree.stem_ratios, 1):
        row = TreeMeasurement(
            plot=visit,
            tree_tag=tree.tag,
            stem=stem,
            species=tree.species,
            dbh_cm=Decimal(f"{max(dbh * ratio, 0.5):.1f}"),
            height_m=None if height is None else Decimal(f"{height:.1f}"),
            status=status,
            origin=tree.origin,
            notes=""
            if tree.origin == TreeOrigin.PLANTED
            else "Árbol remanente anterior al proyecto.",
        )
        rows.append(row)
    return rows
