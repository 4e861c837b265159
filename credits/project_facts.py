"""Public facts about a project for buyers and the registry pages: area, trees, species share
and location. Aggregates only: nothing here names or identifies a smallholder.

Facts change when parcels are validated or plantings recorded, not per request, so they are
cached for a few minutes; the availability endpoint then costs one small query.
"""

from dataclasses import asdict, dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Sum
from django.utils.translation import get_language

from parcels.choices import ParcelStatus
from parcels.models import Parcel, Planting
from smallholders.models import Project

CACHE_SECONDS = 300
SHARE_PLACES = Decimal("0.001")


@dataclass(frozen=True)
class SpeciesShare:
    scientific_name: str
    trees: int
    share: Decimal
    common_name_es: str = ""
    common_name_en: str = ""

    @property
    def common_name(self) -> str:
        """In the active language (Spanish when English has none)."""
        english = (get_language() or "").startswith("en") and self.common_name_en
        return english or self.common_name_es


@dataclass(frozen=True)
class ProjectFacts:
    """Validated parcels only; `location` is the centre of the project area (lon, lat)."""

    area_ha: Decimal
    parcels: int
    trees_planted: int
    species: list[SpeciesShare]
    location: tuple[float, float] | None


def _species_shares(project_id: int) -> list[SpeciesShare]:
    rows = (
        Planting.objects.filter(
            parcel__project_id=project_id, parcel__status=ParcelStatus.VALIDATED
        )
        .values("species__scientific_name", "species__common_name_es", "species__common_name_en")
        .annotate(trees=Sum("trees_planted"))
        .order_by("-trees", "species__scientific_name")
    )
    total = sum(row["trees"] for row in rows)
    return [
        SpeciesShare(
            scientific_name=row["species__scientific_name"],
            trees=row["trees"],
            share=(Decimal(row["trees"]) / total).quantize(SHARE_PLACES),
            common_name_es=row["species__common_name_es"],
            common_name_en=row["species__common_name_en"],
        )
        for row in rows
    ]


def _location(project: Project) -> tuple[float, float] | None:
    if project.area is None or project.area.empty:
        return None
    centre = project.area.centroid
    return (round(centre.x, 5), round(centre.y, 5))


def compute_project_facts(project: Project) -> ProjectFacts:
    parcels = Parcel.objects.filter(project=project, status=ParcelStatus.VALIDATED)
    totals = parcels.aggregate(area=Sum("area_ha"))
    species = _species_shares(project.pk)
    return ProjectFacts(
        area_ha=(totals["area"] or Decimal(0)).quantize(Decimal("0.01")),
        parcels=parcels.count(),
        trees_planted=sum(s.trees for s in species),
        species=species,
        location=_location(project),
    )


def project_facts(project: Project) -> ProjectFacts:
    """The cached facts of `project` (recomputed at most every CACHE_SECONDS)."""
    key = f"credits:project-facts:{project.pk}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    facts = compute_project_facts(project)
    cache.set(key, facts, CACHE_SECONDS)
    return facts


def facts_as_dict(facts: ProjectFacts) -> dict:
    data = asdict(facts)
    data["location"] = (
        {"type": "Point", "coordinates": list(facts.location)} if facts.location else None
    )
    return data
