"""Field data written many rows at a time: the one door of every writer of these concepts.

The importer and the demo call these services with many rows; the single-row services of
`parcels.services` (the admin, the back-office forms, the API) call them with one, so each
concept is validated and written by one code path: `record_plantings`/`update_plantings`
(validate_planting), `record_survival_counts`/`update_survival_counts` (survival_count_errors);
parcels in `parcels.bulk_parcels`, monitoring in `parcels.bulk_monitoring`. A bulk service
validates every row first and writes nothing when any fails (RowsInvalid names each bad row,
from 1); then it writes the rows and a history row each in bulk (pichanaki.bulk: COPY on
PostgreSQL), by `user` (default: the request's) with `reason`.
"""

from collections.abc import Sequence

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from parcels import validation
from parcels.models import Planting, SurvivalCount
from pichanaki.bulk import insert_with_history, update_with_history
from pichanaki.rows import add_error, constraint_error, raise_for_rows, repeated, row_errors

#: the fields update_plantings saves (parcel, species and date identify a planting)
PLANTING_UPDATED_FIELDS = ("trees_planted", "arrangement", "notes")


def check_density(*, planting: Planting) -> None:
    """Trees per hectare of the parcel within the species' planting densities (no density is
    judged for a planting of no trees: validate_planting refuses it)."""
    if not planting.trees_planted or planting.trees_planted < 0:
        return
    species = planting.species
    validation.validate_planting_density(
        trees=planting.trees_planted,
        area_ha=planting.parcel.area_ha,
        min_per_ha=species.min_density_per_ha,
        max_per_ha=species.max_density_per_ha,
        species_name=species.scientific_name,
    )


def validate_planting(planting: Planting) -> None:
    """The rules of a planting: its fields and clean() (date not in the future; a replanting
    replaces an earlier planting of the same parcel), at least one tree, and its density.

    Parcel, species and the planting replanted are rows the caller holds (and reads here), so
    they are not looked up again; the database enforces them.
    """
    validation.collect_errors(
        lambda: planting.full_clean(
            exclude=["parcel", "species", "replanting_of"],
            validate_unique=False,
            validate_constraints=False,
        ),
        lambda: _check_trees(planting),
        lambda: check_density(planting=planting),
    )


def _check_trees(planting: Planting) -> None:
    if planting.trees_planted is not None and planting.trees_planted <= 0:
        raise ValidationError(
            {"trees_planted": _("At least one tree must be planted.")}, code="positive_trees"
        )


# Atomic: all rows and their history rows, or none. Inside the caller's transaction (the
# importer's commit, the demo's load) it is a savepoint of it.
@transaction.atomic
def record_plantings(
    *, rows: Sequence[Planting], user: User | None = None, reason: str = ""
) -> list[Planting]:
    """Record many plantings (unsaved; see record_planting), validated with validate_planting.

    RowsInvalid naming each bad row, and nothing written, if any fails. Side effects: the
    plantings (their pks set) and a "+" history row each.
    """
    raise_for_rows(row_errors(rows, validate_planting))
    insert_with_history(Planting, rows, user=user, reason=reason)
    return list(rows)


# Atomic: all rows and their history rows, or none (a savepoint inside the importer's commit).
@transaction.atomic
def update_plantings(
    *,
    rows: Sequence[Planting],
    fields: Sequence[str] = PLANTING_UPDATED_FIELDS,
    user: User | None = None,
    reason: str = "",
) -> list[Planting]:
    """Save `fields` of many stored plantings, validated with validate_planting.

    RowsInvalid naming each bad row, and nothing written, if any fails. A "~" history row each.
    """
    raise_for_rows(row_errors(rows, validate_planting))
    update_with_history(Planting, rows, fields, user=user, reason=reason)
    return list(rows)


def validate_survival_count(count: SurvivalCount) -> None:
    """The rules of one count on its own: fields and clean() (a date not in the future nor
    before the planting; 0 to the trees planted alive). Its planting is read, not looked up."""
    count.full_clean(exclude=["planting"], validate_unique=False, validate_constraints=False)


def survival_count_errors(counts: Sequence[SurvivalCount]) -> dict[int, ValidationError]:
    """Every rule of a new survival count, for all rows at once: the errors by row (from 1).

    Each row's own rules (validate_survival_count), then, in one query, one count per planting
    and date (none stored but the row itself, none repeated in the rows).
    """
    found = row_errors(counts, validate_survival_count)
    keys = [(count.planting_id, count.counted_on) for count in counts]
    stored = set(
        SurvivalCount.objects.filter(
            planting_id__in={planting for planting, _day in keys},
            counted_on__in={day for _planting, day in keys},
        )
        .exclude(pk__in=[count.pk for count in counts if count.pk])
        .values_list("planting_id", "counted_on")
    )
    again = repeated(keys)
    for number, key in enumerate(keys, 1):
        if key in stored or number in again:
            add_error(found, number, constraint_error(SurvivalCount, "_unique_date"))
    return found


# Atomic: all rows and their history rows, or none (a savepoint inside the demo's load).
@transaction.atomic
def record_survival_counts(
    *, rows: Sequence[SurvivalCount], user: User | None = None, reason: str = ""
) -> list[SurvivalCount]:
    """Record many survival counts (unsaved), validated with survival_count_errors.

    RowsInvalid naming each bad row, and nothing written, if any fails. Side effects: the
    counts (their pks set) and a "+" history row each.
    """
    raise_for_rows(survival_count_errors(rows))
    insert_with_history(SurvivalCount, rows, user=user, reason=reason)
    return list(rows)


# Atomic: all rows and their history rows, or none (a savepoint inside the caller's transaction).
@transaction.atomic
def update_survival_counts(
    *,
    rows: Sequence[SurvivalCount],
    fields: Sequence[str] = ("trees_alive",),
    user: User | None = None,
    reason: str = "",
) -> list[SurvivalCount]:
    """Save `fields` of many stored survival counts, validated as record_survival_counts.
    RowsInvalid naming each bad row, and nothing written, if any fails. A "~" history row each."""
    raise_for_rows(survival_count_errors(rows))
    update_with_history(SurvivalCount, rows, fields, user=user, reason=reason)
    return list(rows)
