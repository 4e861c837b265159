"""Plausibility checks on plain values, shared by model clean(), forms, the API and the importer.

Every check takes plain Python values (no queries), returns None when the value is acceptable
and raises ``ValidationError({field: [...]})`` otherwise, with a translated message and a code.
The importer calls them row by row on large files, so they stay cheap; lookups that need the
database (species) go through an index built once (:class:`SpeciesIndex`).
:func:`collect_errors` runs several checks and raises one error holding all of their fields.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import unicodedata
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pichanaki.rows import collect_errors as collect_errors  # the field-data rules use it
from smallholders.validators import validate_dni

Number = Decimal | float | int

DBH_MAX_CM = Decimal("300")
HEIGHT_MAX_M = Decimal("70")
BREAST_HEIGHT_M = Decimal("1.3")
PLOT_RADIUS_MAX_M = Decimal("60")


def _error(field_name: str, message: str, code: str, **params: object) -> ValidationError:
    return ValidationError({field_name: ValidationError(message, code=code, params=params)})


def validate_dbh(dbh_cm: Number | None, *, field_name: str = "dbh_cm") -> None:
    """DBH (cm at 1.3 m) is required and lies in (0, 300]."""
    if dbh_cm is None:
        raise _error(field_name, _("The DBH is required."), "required")
    if not 0 < dbh_cm <= DBH_MAX_CM:
        raise _error(
            field_name,
            _("A DBH of %(value)s cm is implausible: it must be above 0 and at most 300 cm."),
            "dbh_range",
            value=dbh_cm,
        )


def validate_height(
    height_m: Number | None, *, dbh_cm: Number | None = None, field_name: str = "height_m"
) -> None:
    """Height (m) is optional, lies in (0, 70], and exceeds 1.3 m when a DBH was measured."""
    if height_m is None:
        return
    if not 0 < height_m <= HEIGHT_MAX_M:
        raise _error(
            field_name,
            _("A height of %(value)s m is implausible: it must be above 0 and at most 70 m."),
            "height_range",
            value=height_m,
        )
    if dbh_cm is not None and dbh_cm > 0 and height_m <= BREAST_HEIGHT_M:
        raise _error(
            field_name,
            _("A tree %(value)s m tall cannot have a DBH: the DBH is measured at 1.3 m."),
            "below_breast_height",
            value=height_m,
        )


def validate_not_future(
    value: dt.date | None, *, field_name: str, today: dt.date | None = None
) -> None:
    """A date of something that happened is not after today (Lima time)."""
    if value is None:
        return
    today = today or timezone.localdate()
    if value > today:
        raise _error(
            field_name,
            _("The date %(date)s is in the future."),
            "future_date",
            date=value.isoformat(),
        )


def validate_after_planting(
    measured_on: dt.date | None,
    *,
    first_planted_on: dt.date | None,
    field_name: str = "measured_on",
) -> None:
    """A measurement or count is not dated before the parcel's (or planting's) first planting."""
    if measured_on is None or first_planted_on is None:
        return
    if measured_on < first_planted_on:
        raise _error(
            field_name,
            _("The date %(date)s is before the first planting on this parcel (%(planted)s)."),
            "before_planting",
            date=measured_on.isoformat(),
            planted=first_planted_on.isoformat(),
        )


def validate_planting_density(
    *,
    trees: int,
    area_ha: Number,
    min_per_ha: int,
    max_per_ha: int,
    species_name: str = "",
    field_name: str = "trees_planted",
) -> None:
    """Trees per hectare of a planting lie within the species' plausible planting densities."""
    if not area_ha or area_ha <= 0:
        return
    per_ha = Decimal(trees) / Decimal(str(area_ha))
    if min_per_ha <= per_ha <= max_per_ha:
        return
    raise _error(
        field_name,
        _(
            "%(trees)s trees on %(area)s ha is %(density)s trees/ha; for %(species)s a plausible "
            "density is %(low)s to %(high)s trees/ha."
        ),
        "density_range",
        trees=trees,
        area=area_ha,
        density=f"{per_ha:.0f}",
        species=species_name or _("this species"),
        low=min_per_ha,
        high=max_per_ha,
    )


def validate_survival(
    trees_alive: int, *, trees_planted: int, field_name: str = "trees_alive"
) -> None:
    """A survival count is between 0 and the number of trees planted."""
    if not 0 <= trees_alive <= trees_planted:
        raise _error(
            field_name,
            _("%(alive)s trees alive is impossible: %(planted)s were planted."),
            "survival_range",
            alive=trees_alive,
            planted=trees_planted,
        )


def normalize_dni(value: object, *, field_name: str = "dni") -> str:
    """The DNI as 8 digits (spaces, dots and dashes removed), or ValidationError naming it."""
    text = "".join(ch for ch in str(value or "") if ch not in " .-")
    try:
        validate_dni(text)
    except ValidationError as exc:
        raise ValidationError({field_name: exc.error_list}) from None
    return text


def plot_area_m2(radius_m: Number, *, slope_pct: Number | None = None) -> Decimal:
    """Horizontal area of a circular plot, rounded to 0.01 m².

    A radius measured along a slope is reduced to its horizontal projection first
    (r·cos(atan(slope/100))); without a slope the radius is taken as horizontal.
    """
    if not 0 < radius_m <= PLOT_RADIUS_MAX_M:
        raise _error(
            "radius_m",
            _("A plot radius of %(value)s m is implausible: it must be above 0 and at most 60 m."),
            "radius_range",
            value=radius_m,
        )
    radius = float(radius_m)
    if slope_pct:
        radius *= math.cos(math.atan(float(slope_pct) / 100))
    return Decimal(str(round(math.pi * radius * radius, 2)))


def find_duplicates(values: Iterable[Hashable]) -> dict[Hashable, list[int]]:
    """Each value that occurs more than once, with the 0-based positions where it occurs."""
    positions: dict[Hashable, list[int]] = defaultdict(list)
    for index, value in enumerate(values):
        positions[value].append(index)
    return {value: where for value, where in positions.items() if len(where) > 1}


def validate_unique(values: Iterable[Hashable], *, field_name: str, first_row: int = 1) -> None:
    """No value repeats; the error names each repeated value and its rows (1-based by default)."""
    duplicates = find_duplicates(values)
    if not duplicates:
        return
    listing = "; ".join(
        f"{value}: {', '.join(str(i + first_row) for i in where)}"
        for value, where in duplicates.items()
    )
    raise _error(
        field_name, _("Repeated values (rows): %(listing)s."), "duplicate", listing=listing
    )


def normalize_name(value: str) -> str:
    """Case-, accent- and spacing-insensitive form of a name ("Guabá " → "guaba")."""
    decomposed = unicodedata.normalize("NFKD", value)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.casefold().replace("_", " ").split())


@dataclass
class SpeciesIndex:
    """Species looked up by code, scientific, common or local name; built once per import.

    `names` maps each normalized name to the species id; several species may share a local
    name (e.g. "guaba" for several Inga), so such a name is ambiguous and only suggests.
    """

    names: dict[str, int] = field(default_factory=dict)
    ambiguous: dict[str, list[str]] = field(default_factory=dict)
    labels: dict[int, str] = field(default_factory=dict)

    @classmethod
    def build(cls, rows: Iterable[tuple[int, str, Iterable[str]]]) -> SpeciesIndex:
        """From (id, scientific name, other names) rows; other names may be empty strings."""
        index = cls()
        for pk, scientific, others in rows:
            index.labels[pk] = scientific
            for name in (scientific, *others):
                index._add(normalize_name(name), pk)
        return index

    def _add(self, key: str, pk: int) -> None:
        if not key:
            return
        known = self.names.get(key)
        if known is None or known == pk:
            self.names[key] = pk
            return
        options = self.ambiguous.setdefault(key, [self.labels[known]])
        if self.labels[pk] not in options:
            options.append(self.labels[pk])

    def resolve(self, name: str | None, *, field_name: str = "species") -> int:
        """The species id for `name`, or ValidationError suggesting close matches."""
        key = normalize_name(name or "")
        if key in self.ambiguous:
            raise _error(
                field_name,
                _("“%(name)s” names several species: %(options)s. Use the scientific name."),
                "ambiguous_species",
                name=name,
                options=", ".join(sorted(self.ambiguous[key])),
            )
        if key in self.names:
            return self.names[key]
        raise self._unknown(name or "", key, field_name)

    def suggestions(self, key: str, limit: int = 3) -> list[str]:
        matches = difflib.get_close_matches(key, self.names, n=limit * 3, cutoff=0.75)
        labels = dict.fromkeys(self.labels[self.names[m]] for m in matches)
        return list(labels)[:limit]

    def _unknown(self, name: str, key: str, field_name: str) -> ValidationError:
        close = self.suggestions(key)
        if not close:
            return _error(
                field_name, _("Unknown species “%(name)s”."), "unknown_species", name=name
            )
        return _error(
            field_name,
            _("Unknown species “%(name)s”. Did you mean: %(suggestions)s?"),
            "unknown_species",
            name=name,
            suggestions=", ".join(close),
        )
