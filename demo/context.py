"""What the demo's steps share: the `DemoContext`, validated bulk saves with history of the
reference rows (field data goes through its services), and the small random helpers."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from django.contrib.gis.geos import MultiPolygon
from django.db.models import Model
from simple_history.utils import bulk_create_with_history

from demo import layout
from parcels.models import Parcel, Planting, Species, Stratum
from smallholders.models import Cooperative, Project, Smallholder

CHANGE_REASON = "seed_demo"


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
    """Validate reference `rows` (project, cooperatives, species, strata) like a form would
    (fields, clean()) and bulk-insert them with history.

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
