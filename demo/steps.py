"""The demo, one function per step; `STEPS` is the order `services.load_demo` runs them in.

A step takes the shared `DemoContext` and its own random stream and builds its rows. Field data
(smallholders, parcels, plantings, survival counts, plots, trees) goes through the bulk services
of the owning app, the importer's door too (`smallholders.services.register_smallholders`,
`parcels.bulk`, `parcels.bulk_monitoring`), which validate every row with the rules of the
single-row services and keep the audit trail; the reference rows (project, cooperatives,
species, strata) through `context.save`. Append new steps at the end of `STEPS`: the stream of
a step is seeded by its position, so earlier steps keep producing the same rows. The first
field-data steps are written here, the plantings and monitoring plots in `plantings` and
`monitoring`; the carbon runs and credits that follow them live in `runs` and `ledger`; the
shared context in `context`.
"""

import datetime as dt
import math
from collections.abc import Callable

import numpy as np
from django.utils.module_loading import import_string

from demo import catalogue, layout, ledger, monitoring, plantings, runs
from demo.context import CHANGE_REASON, DemoContext, day, pick, save
from demo.exceptions import DemoTooLarge
from parcels.bulk_parcels import register_parcels
from parcels.choices import LandUse, ParcelStatus
from parcels.models import Parcel, Species, Stratum
from smallholders.choices import Gender, PaymentMethod, Standard
from smallholders.models import Cooperative, Project, ProjectCooperative, Smallholder
from smallholders.services import NewSmallholder, register_smallholders
from smallholders.validators import ruc_check_digit

__all__ = ["CHANGE_REASON", "STEPS", "DemoContext", "day", "pick", "save"]


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
    rows = [NewSmallholder(p, joined_on=day(dt.date(1998, 1, 1), rng, 4000)) for p in people]
    ctx.smallholders = register_smallholders(rows=rows, reason=CHANGE_REASON)


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
    # Already reviewed (validated, submitted or rejected), as the story has them.
    ctx.parcels = register_parcels(rows=parcels, reason=CHANGE_REASON)


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
    return Parcel(
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


def _stratum_shares() -> np.ndarray:
    shares = np.array([s.share for s in catalogue.STRATA])
    return shares / shares.sum()


def _land_use(stratum_code: str, rng: np.random.Generator) -> str:
    if stratum_code == "cafe-sombra":
        return pick(rng, {LandUse.COFFEE: 0.85, LandUse.FALLOW: 0.15})
    if stratum_code == "linderos":
        return pick(rng, {LandUse.PASTURE: 0.4, LandUse.ANNUAL_CROPS: 0.3, LandUse.COFFEE: 0.3})
    return pick(rng, {LandUse.FALLOW: 0.6, LandUse.PASTURE: 0.4})


Step = Callable[[DemoContext, np.random.Generator], bool | None]
FIELD_STEPS: tuple[tuple[str, Step], ...] = (
    ("project", step_project),
    ("cooperatives", step_cooperatives),
    ("species", step_species),
    ("smallholders", step_smallholders),
    ("strata", step_strata),
    ("parcels", step_parcels),
    ("plantings", plantings.step_plantings),
    ("monitoring", monitoring.step_monitoring),
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
    ("benefit_sharing", lambda c, r: import_string("demo.benefits.step_benefit_sharing")(c, r)),
)
"""Each adds only what is missing and returns whether it wrote: they also complete a demo
loaded before they existed. They need `ctx.project` only."""

STEPS = FIELD_STEPS + LATER_STEPS
