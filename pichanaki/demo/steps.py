"""The demo, one function per step; `STEPS` is the order `services.load_demo` runs them in.

A step takes the shared `DemoContext` and its own random stream, validates every row with the
models' own `full_clean()` (plus the field-data rules of `parcels.validation` that live outside
the models), and writes with `bulk_create_with_history` so the admin's audit trail shows where
each row came from. Append new steps at the end of `STEPS`: the stream of a step is seeded by
its position, so earlier steps keep producing the same rows. The field-data steps are written
here; the carbon runs and credits that follow them live in `runs` and `ledger`.
"""

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from django.contrib.gis.geos import MultiPolygon
from django.db.models import Model
from django.utils.module_loading import import_string
from simple_history.utils import bulk_create_with_history

from parcels import validation
from parcels.choices import (
    Arrangement,
    GrowthGroup,
    LandUse,
    ParcelStatus,
    TreeOrigin,
    TreeStatus,
)
from parcels.models import (
    MonitoringPlot,
    Parcel,
    Planting,
    Species,
    Stratum,
    SurvivalCount,
    TreeMeasurement,
)
from pichanaki.demo import catalogue, growth, layout, ledger, runs
from pichanaki.demo.exceptions import DemoTooLarge
from smallholders.choices import Gender, PaymentMethod, Standard
from smallholders.models import (
    Cooperative,
    CooperativeMembership,
    Project,
    ProjectCooperative,
    Smallholder,
)
from smallholders.services import validate_birth_year
from smallholders.validators import ruc_check_digit

CHANGE_REASON = "seed_demo"
LAST_PLANTING = dt.date(2012, 12, 31)
LAST_REPLANTED = dt.date(2011, 11, 30)  # its replanting, a year later, still falls in 2012
REPLANTING_SHARE = 0.2
ANNUAL_MORTALITY = 0.025
PLOT_AREA_HA = math.pi * float(catalogue.PLOT_RADIUS_M) ** 2 / 10_000


@dataclass
class DemoContext:
    """What the steps share: options, the district and the rows written so far."""

    seed: int
    scale: float
    district: MultiPolygon
    project: Project | None = None
    cooperatives: dict[str, Cooperative] = field(default_factory=dict)
    species: dict[str, Species] = field(default_factory=dict)
    smallholders: list[Smallholder] = field(default_factory=list)
    strata: dict[str, Stratum] = field(default_factory=dict)
    parcels: list[Parcel] = field(default_factory=list)
    shapes: dict[str, layout.ParcelShape] = field(default_factory=dict)
    plantings: dict[str, list[Planting]] = field(default_factory=dict)
    alive: dict[int, int] = field(default_factory=dict)  # planting id → latest count

    def rng(self, step: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, step])


def save(model: type[Model], rows: Sequence[Model], *, exclude: Sequence[str] = ()) -> list:
    """Validate `rows` like a form would (fields, clean()) and bulk-insert them with history.

    Foreign keys are excluded from field validation because they point at rows this run has
    just written (checking them would cost one query per row); the database enforces them.
    """
    for row in rows:
        row.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    return bulk_create_with_history(
        list(rows), model, batch_size=500, default_change_reason=CHANGE_REASON
    )


def pick(rng: np.random.Generator, weights: dict) -> object:
    """A key of `weights`, drawn with probability proportional to its weight."""
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


def day(start: dt.date, rng: np.random.Generator, span_days: int) -> dt.date:
    return start + dt.timedelta(days=int(rng.integers(0, span_days + 1)))


# --- 1. project -------------------------------------------------------------------------------
def step_project(ctx: DemoContext, rng: np.random.Generator) -> None:
    """The demo project, whose area is the Pichanaqui district polygon."""
    project = Project(
        code=catalogue.PROJECT_CODE,
        name=catalogue.PROJECT_NAME,
        description=catalogue.PROJECT_DESCRIPTION,
        standard=Standard.GOLD_STANDARD,
        methodology=catalogue.METHODOLOGY,
        country="PE",
        region=catalogue.REGION,
        crediting_start=catalogue.CREDITING_START,
        crediting_end=catalogue.CREDITING_END,
        area=ctx.district,
    )
    ctx.project = save(Project, [project])[0]


# --- 2. cooperatives --------------------------------------------------------------------------
def step_cooperatives(ctx: DemoContext, rng: np.random.Generator) -> None:
    """Three cooperatives (valid RUCs) and their participation in the project since 2010."""
    cooperatives = [
        Cooperative(
            code=spec.code,
            name=spec.name,
            ruc=spec.ruc_first_ten + str(ruc_check_digit(spec.ruc_first_ten)),
            region=catalogue.REGION,
            address=spec.address,
            contact_name=spec.contact_name,
            contact_phone=f"9{rng.integers(10**7, 10**8)}",
            contact_email=f"contacto@{spec.code}.example.org",
        )
        for spec in catalogue.COOPERATIVES
    ]
    saved = save(Cooperative, cooperatives)
    ctx.cooperatives = {c.code: c for c in saved}
    joins = [
        ProjectCooperative(
            project=ctx.project, cooperative=c, joined_on=day(dt.date(2009, 6, 1), rng, 180)
        )
        for c in saved
    ]
    save(ProjectCooperative, joins, exclude=("project", "cooperative"))


# --- 3. species -------------------------------------------------------------------------------
def step_species(ctx: DemoContext, rng: np.random.Generator) -> None:
    """The demo's species from the catalogue; any the catalogue lacks is created minimally."""
    names = [spec.scientific_name for spec in catalogue.SPECIES]
    found = {s.scientific_name: s for s in Species.objects.filter(scientific_name__in=names)}
    missing = [_new_species(s) for s in catalogue.SPECIES if s.scientific_name not in found]
    found.update({s.scientific_name: s for s in save(Species, missing)})
    ctx.species = found


def _new_species(spec: catalogue.SpeciesSpec) -> Species:
    genus, epithet = spec.scientific_name.split()[:2]
    return Species(
        code=(genus[:4] + epithet[:3]).upper(),
        scientific_name=spec.scientific_name,
        genus=genus,
        family=spec.family,
        common_name_es=spec.common_name_es,
        native_to_peru=spec.native,
        growth_group=spec.group,
    )


# --- 4. smallholders --------------------------------------------------------------------------
def step_smallholders(ctx: DemoContext, rng: np.random.Generator) -> None:
    """240 × scale smallholders with unique DNIs, spread over the cooperatives, and memberships."""
    total = max(len(catalogue.COOPERATIVES), round(catalogue.SMALLHOLDERS_PER_SCALE * ctx.scale))
    dnis = rng.choice(44_000_000, size=total, replace=False) + 4_000_000
    people = []
    for spec, count in zip(catalogue.COOPERATIVES, _split(total), strict=True):
        cooperative = ctx.cooperatives[spec.code]
        people += [_smallholder(ctx, cooperative, spec, rng) for _ in range(count)]
    for person, dni in zip(people, dnis, strict=True):
        person.dni = f"{dni:08d}"
        validate_birth_year(person.birth_year)
    ctx.smallholders = save(Smallholder, people, exclude=("project", "cooperative"))
    memberships = [
        CooperativeMembership(
            smallholder=p, cooperative=p.cooperative, joined_on=day(dt.date(1998, 1, 1), rng, 4000)
        )
        for p in ctx.smallholders
    ]
    save(CooperativeMembership, memberships, exclude=("smallholder", "cooperative"))


def _split(total: int) -> list[int]:
    """`total` split by the cooperatives' shares (largest remainders, at least one each)."""
    shares = np.array([spec.share for spec in catalogue.COOPERATIVES]) * total
    counts = np.maximum(np.floor(shares).astype(int), 1)
    for index in np.argsort(-(shares - np.floor(shares)))[: total - counts.sum()]:
        counts[index] += 1
    return counts.tolist()


def _smallholder(ctx: DemoContext, cooperative: Cooperative, spec, rng) -> Smallholder:
    gender = pick(rng, {Gender.MALE: 0.6, Gender.FEMALE: 0.37, Gender.UNDISCLOSED: 0.03})
    names = catalogue.FEMALE_NAMES if gender == Gender.FEMALE else catalogue.MALE_NAMES
    given = rng.choice(names, size=2, replace=False)
    first_name = " ".join(given) if rng.random() < 0.4 else str(given[0])
    surnames = rng.choice(catalogue.SURNAMES, size=2, replace=False)
    phone = f"9{rng.integers(10**7, 10**8)}" if rng.random() < 0.8 else ""
    return Smallholder(
        project=ctx.project,
        cooperative=cooperative,
        first_name=first_name,
        last_name=" ".join(surnames),
        gender=gender,
        birth_year=int(rng.integers(1948, 1994)),
        phone=phone,
        community=str(rng.choice(spec.communities)),
        district=catalogue.DISTRICT_NAME,
        agreement_signed_on=day(dt.date(2010, 1, 15), rng, 880),
        **_payment(phone, rng),
    )


def _payment(phone: str, rng: np.random.Generator) -> dict[str, str]:
    method = pick(
        rng,
        {
            PaymentMethod.BANK_TRANSFER: 0.45,
            PaymentMethod.MOBILE_WALLET: 0.35 if phone else 0.0,
            PaymentMethod.COOPERATIVE: 0.2,
        },
    )
    if method == PaymentMethod.MOBILE_WALLET:
        return {"payment_method": method, "wallet_phone": phone}
    if method == PaymentMethod.COOPERATIVE:
        return {"payment_method": method}
    bank, bank_code, digits = catalogue.BANKS[int(rng.integers(len(catalogue.BANKS)))]
    account = "".join(str(d) for d in rng.integers(0, 10, digits))
    cci = bank_code + f"{rng.integers(100, 1000)}" + account[-12:].zfill(12)
    cci += f"{rng.integers(0, 100):02d}"
    return {"payment_method": method, "bank_name": bank, "bank_account": account, "cci": cci}


# --- 5. strata --------------------------------------------------------------------------------
def step_strata(ctx: DemoContext, rng: np.random.Generator) -> None:
    """Three strata by planting system: shade coffee, boundaries/dispersed, woodlots."""
    strata = [
        Stratum(project=ctx.project, code=s.code, name=s.name, description=s.description)
        for s in catalogue.STRATA
    ]
    ctx.strata = {s.code: s for s in save(Stratum, strata, exclude=("project",))}


# --- 6. parcels -------------------------------------------------------------------------------
def step_parcels(ctx: DemoContext, rng: np.random.Generator) -> None:
    """One to three parcels per smallholder, ~800 ha × scale, laid out by `layout`."""
    counts = rng.choice([1, 2, 3], size=len(ctx.smallholders), p=[0.45, 0.4, 0.15])
    owners = [p for p, n in zip(ctx.smallholders, counts, strict=True) for _ in range(n)]
    areas = _parcel_areas(len(owners), catalogue.HECTARES_PER_SCALE * ctx.scale, rng)
    cells, epsg = layout.inner_cells(catalogue.DISTRICT_UBIGEO)
    if len(owners) > len(cells):
        raise DemoTooLarge(len(owners), len(cells))
    communities = sorted({p.community for p in ctx.smallholders})
    centres = layout.community_centres(cells, len(communities), rng)
    index = np.array([communities.index(p.community) for p in owners])
    chosen = layout.assign_cells(cells, centres, index, rng)
    parcels = []
    for number, (owner, area, cell) in enumerate(zip(owners, areas, chosen, strict=True), 1):
        ring = layout.parcel_ring(area * 10_000, rng)
        shape = layout.place_parcel(ring, cells[cell], epsg, rng)
        parcel = _parcel(ctx, owner, f"PCH-{number:05d}", shape, rng)
        ctx.shapes[parcel.code] = shape
        parcels.append(parcel)
    ctx.parcels = save(Parcel, parcels, exclude=("project", "smallholder", "stratum"))


def _parcel_areas(count: int, total_ha: float, rng: np.random.Generator) -> np.ndarray:
    """`count` areas between ~1 and ~6 ha (log-normal) summing to about `total_ha`."""
    areas = rng.lognormal(math.log(1.8), 0.45, count)
    for _ in range(5):
        areas = np.clip(areas * total_ha / areas.sum(), 1.02, 5.9)
    return areas


def _parcel(ctx: DemoContext, owner: Smallholder, code: str, shape, rng) -> Parcel:
    stratum = catalogue.STRATA[int(rng.choice(len(catalogue.STRATA), p=_stratum_shares()))]
    status = pick(
        rng,
        {ParcelStatus.VALIDATED: 0.93, ParcelStatus.SUBMITTED: 0.05, ParcelStatus.REJECTED: 0.02},
    )
    rejected = status == ParcelStatus.REJECTED
    parcel = Parcel(
        project=ctx.project,
        smallholder=owner,
        code=code,
        name=f"{owner.community}, {owner.last_name.split()[0]}",
        boundary=shape.boundary,
        land_use_before=_land_use(stratum.code, rng),
        eligibility_no_forest=not rejected,
        eligibility_note=catalogue.REJECTION_REASON if rejected else catalogue.ELIGIBILITY_NOTE,
        status=status,
        rejection_reason=catalogue.REJECTION_REASON if rejected else "",
        stratum=ctx.strata[stratum.code],
    )
    parcel.set_area()  # clean() recomputes it; full_clean() needs it before clean_fields()
    return parcel


def _stratum_shares() -> np.ndarray:
    shares = np.array([s.share for s in catalogue.STRATA])
    return shares / shares.sum()


def _land_use(stratum_code: str, rng: np.random.Generator) -> str:
    if stratum_code == "cafe-sombra":
        return pick(rng, {LandUse.COFFEE: 0.85, LandUse.FALLOW: 0.15})
    if stratum_code == "linderos":
        return pick(rng, {LandUse.PASTURE: 0.4, LandUse.ANNUAL_CROPS: 0.3, LandUse.COFFEE: 0.3})
    return pick(rng, {LandUse.FALLOW: 0.6, LandUse.PASTURE: 0.4})


# --- 7. plantings -----------------------------------------------------------------------------
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
    originals = save(Planting, originals, exclude=("parcel", "species"))
    counts = [
        _count(p, p.planted_on + dt.timedelta(days=365), rng, p.trees_planted) for p in originals
    ]
    replantings = save(
        Planting,
        [r for p, c in zip(originals, counts, strict=True) if (r := _replanting(p, c, rng))],
        exclude=("parcel", "species", "replanting_of"),
    )
    counts += [
        _count(p, p.planted_on + dt.timedelta(days=365), rng, p.trees_planted) for p in replantings
    ]
    counts += [
        _count(c.planting, day(dt.date(2016, 7, 1), rng, 60), rng, c.trees_alive) for c in counts
    ]
    save(SurvivalCount, counts, exclude=("planting",))
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
    validation.validate_planting_density(
        trees=trees,
        area_ha=parcel.area_ha,
        min_per_ha=species.min_density_per_ha,
        max_per_ha=species.max_density_per_ha,
        species_name=species.scientific_name,
    )
    return species, trees


def _trees(species: Species, area_ha: Decimal, density: float) -> int:
    """Trees for `density` per ha, kept inside the species' plausible density range."""
    low = math.ceil(species.min_density_per_ha * float(area_ha))
    high = math.floor(species.max_density_per_ha * float(area_ha))
    return int(np.clip(round(density * float(area_ha)), low, high))


def _count(planting: Planting, on: dt.date, rng, alive_before: int) -> SurvivalCount:
    """A survival count: establishment losses in the first year, then ~2.5% a year."""
    first = on - planting.planted_on < dt.timedelta(days=400)
    survival = rng.uniform(0.72, 0.95) if first else (1 - ANNUAL_MORTALITY) ** 4
    alive = int(rng.binomial(alive_before, survival))
    return SurvivalCount(planting=planting, counted_on=on, trees_alive=alive)


def _replanting(original: Planting, count: SurvivalCount, rng) -> Planting | None:
    """A replanting of the dead seedlings a year later (for ~20% of the cohorts up to 2011)."""
    if original.planted_on > LAST_REPLANTED or rng.random() >= REPLANTING_SHARE:
        return None
    species, area = original.species, original.parcel.area_ha
    trees = max(original.trees_planted - count.trees_alive, 1)
    trees = _trees(species, area, trees / float(area))
    validation.validate_planting_density(
        trees=trees,
        area_ha=area,
        min_per_ha=species.min_density_per_ha,
        max_per_ha=species.max_density_per_ha,
        species_name=species.scientific_name,
    )
    return Planting(
        parcel=original.parcel,
        species=species,
        planted_on=day(original.planted_on + dt.timedelta(days=360), rng, 20),
        trees_planted=trees,
        arrangement=original.arrangement,
        replanting_of=original,
        notes="Recalce de plantones muertos en el primer año.",
    )


# --- 8. monitoring ----------------------------------------------------------------------------
def step_monitoring(ctx: DemoContext, rng: np.random.Generator) -> None:
    """Permanent 500 m² plots on ~5% of the planted parcels, measured in 2015, 2018 and 2022."""
    visits, trees = [], []
    for number, parcel in enumerate(_plot_parcels(ctx, rng), 1):
        code = f"PMP-{number:03d}"
        plot_visits, plot_trees = _plot(ctx, parcel, code, rng)
        visits += plot_visits
        trees += plot_trees
    saved = {(v.code, v.measured_on): v for v in save(MonitoringPlot, visits, exclude=("parcel",))}
    for tree in trees:
        tree.plot = saved[(tree.plot.code, tree.plot.measured_on)]
    save(TreeMeasurement, trees, exclude=("plot", "species"))


def _plot_parcels(ctx: DemoContext, rng: np.random.Generator) -> list[Parcel]:
    """Validated planted parcels, sampled per stratum (at least two plots in each)."""
    candidates = [
        p for p in ctx.parcels if p.status == ParcelStatus.VALIDATED and p.code in ctx.plantings
    ]
    total = math.ceil(catalogue.PLOT_SHARE * len(candidates))
    chosen = []
    for stratum in ctx.strata.values():
        members = [p for p in candidates if p.stratum_id == stratum.pk]
        wanted = max(2, round(total * len(members) / max(len(candidates), 1)))
        picked = rng.choice(len(members), size=min(wanted, len(members)), replace=False)
        chosen += [members[i] for i in sorted(picked)]
    return chosen


def _plot(ctx: DemoContext, parcel: Parcel, code: str, rng) -> tuple[list, list]:
    shape = ctx.shapes[parcel.code]
    x, y = np.array(shape.centre) + rng.normal(0, 8, 2)
    centre = layout.wgs84_point(float(x), float(y), shape.epsg)
    cohorts = ctx.plantings[parcel.code]
    first_planted = min(p.planted_on for p in cohorts)
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
        visit.area_m2 = validation.plot_area_m2(visit.radius_m)
        validation.validate_after_planting(visit.measured_on, first_planted_on=first_planted)
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
        tree=growth.draw_tree(group, rng, annual_mortality=ANNUAL_MORTALITY),
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


Step = Callable[[DemoContext, np.random.Generator], bool | None]
FIELD_STEPS: tuple[tuple[str, Step], ...] = (
    ("project", step_project),
    ("cooperatives", step_cooperatives),
    ("species", step_species),
    ("smallholders", step_smallholders),
    ("strata", step_strata),
    ("parcels", step_parcels),
    ("plantings", step_plantings),
    ("monitoring", step_monitoring),
)
"""Written together, all or nothing, when the demo project does not exist yet."""

LATER_STEPS: tuple[tuple[str, Step], ...] = (
    ("parameters", runs.step_parameters),
    ("ex_ante_run", runs.step_ex_ante_run),
    ("ex_post_runs", runs.step_ex_post_runs),
    ("ex_ante_issuance", ledger.step_ex_ante_issuance),
    ("forward_sale", ledger.step_forward_sale),
    ("verified_issuance", ledger.step_verified_issuance),
    ("sale_and_retirement", ledger.step_sale_and_retirement),
    ("benefit_sharing", lambda c, r: import_string("benefits.demo.step_benefit_sharing")(c, r)),
)
"""Each adds only what is missing and returns whether it wrote: they also complete a demo
loaded before they existed. They need `ctx.project` only."""

STEPS = FIELD_STEPS + LATER_STEPS
