"""Field data written many rows at a time: the one door of the importer and the demo.

Each concept has one validator, which its single-row service in `parcels.services` uses too,
so the two cannot diverge: `validate_planting` (record_planting, record_plantings,
update_plantings, update_field_record) and `survival_count_errors` (record_survival_count,
record_survival_counts). A bulk service validates every row first and writes nothing when any
fails (RowsInvalid names each bad row, from 1); then it writes the rows and a history row each
in bulk (pichanaki.bulk: COPY on PostgreSQL), by `user` with `reason`.
"""

from collections.abc import Sequence

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from parcels import geo, overlaps, validation
from parcels.choices import ParcelStatus
from parcels.exceptions import BoundaryLocked
from parcels.models import Parcel, Planting, SurvivalCount
from pichanaki.bulk import insert_with_history, update_with_history
from pichanaki.locking import PARCEL_BOUNDARIES, take_lock
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
    *, rows: Sequence[Planting], user: User | None = None, reason: str = ""
) -> list[Planting]:
    """Save PLANTING_UPDATED_FIELDS of many stored plantings, validated with validate_planting.

    RowsInvalid naming each bad row, and nothing written, if any fails. A "~" history row each.
    """
    raise_for_rows(row_errors(rows, validate_planting))
    update_with_history(Planting, rows, PLANTING_UPDATED_FIELDS, user=user, reason=reason)
    return list(rows)


def validate_survival_count(count: SurvivalCount) -> None:
    """The rules of one count on its own: fields and clean() (a date not in the future nor
    before the planting; 0 to the trees planted alive). Its planting is read, not looked up."""
    count.full_clean(exclude=["planting"], validate_unique=False, validate_constraints=False)


def survival_count_errors(counts: Sequence[SurvivalCount]) -> dict[int, ValidationError]:
    """Every rule of a new survival count, for all rows at once: the errors by row (from 1).

    Each row's own rules (validate_survival_count), then, in one query, one count per planting
    and date (none stored, none repeated in the rows).
    """
    found = row_errors(counts, validate_survival_count)
    keys = [(count.planting_id, count.counted_on) for count in counts]
    stored = set(
        SurvivalCount.objects.filter(
            planting_id__in={planting for planting, _day in keys},
            counted_on__in={day for _planting, day in keys},
        ).values_list("planting_id", "counted_on")
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


# --- parcels -----------------------------------------------------------------------------------
#: the statuses whose boundary may be redrawn
EDITABLE_STATUSES = (ParcelStatus.DRAFT, ParcelStatus.REJECTED)
#: the fields update_parcels saves (project and code identify a parcel; status has its workflow)
PARCEL_UPDATED_FIELDS = (
    "smallholder",
    "name",
    "boundary",
    "area_ha",
    "area_epsg",
    "land_use_before",
    "eligibility_no_forest",
    "eligibility_note",
    "stratum",
)


def validate_parcel(parcel: Parcel) -> None:
    """One parcel's own rules: its owner is registered in its project; its fields and clean()
    (a rejected parcel gives its reason; the boundary is valid, inside the project and of a
    plausible size; the area is computed in its UTM zone). Project, owner and stratum are rows
    the caller holds; the area fields are derived by clean(), so not checked before it."""
    validation.collect_errors(
        lambda: _check_owner(parcel),
        lambda: parcel.full_clean(
            exclude=["project", "smallholder", "stratum", "area_ha", "area_epsg"],
            validate_unique=False,
            validate_constraints=False,
        ),
    )


def _check_owner(parcel: Parcel) -> None:
    if parcel.smallholder.project_id != parcel.project_id:
        raise ValidationError(
            {"smallholder": _("The owner is not registered in this parcel's project.")},
            code="owner_project",
        )


def parcel_errors(parcels: Sequence[Parcel]) -> dict[int, ValidationError]:
    """Every rule of parcels to save, for all rows at once: the errors by row (from 1).

    The one validator of parcels (save_parcel, register_parcels, update_parcels, the importer):
    each row's own rules (validate_parcel); its code new in its project (one query); then, for
    the rows without errors, no overlap with the project's stored parcels (one query a row) nor
    with an earlier row. Run it under the projects'
    PARCEL_BOUNDARIES lock, so the overlaps it finds are still true at the commit.
    """
    found = row_errors(parcels, validate_parcel)
    keys = [(parcel.project_id, parcel.code) for parcel in parcels]
    stored = set(
        Parcel.objects.filter(
            project_id__in={project for project, _code in keys},
            code__in={code for _project, code in keys},
        )
        .exclude(pk__in=[parcel.pk for parcel in parcels if parcel.pk])
        .values_list("project_id", "code")
    )
    again = repeated(keys)
    for number, key in enumerate(keys, 1):
        if key in stored or number in again:
            add_error(found, number, constraint_error(Parcel, "_unique_code"))
    _check_overlaps({n: p for n, p in enumerate(parcels, 1) if n not in found}, found)
    return found


def _check_overlaps(valid: dict[int, Parcel], found: dict[int, ValidationError]) -> None:
    for number, parcel in valid.items():
        stored = overlaps.find_overlaps(
            parcel.boundary, project_id=parcel.project_id, exclude_id=parcel.pk
        )
        if stored:
            add_error(found, number, geo.overlap_error(stored))
    numbers = list(valid)
    for index, shared in overlaps_within(list(valid.values())).items():
        add_error(found, numbers[index], geo.overlap_error(shared))


def overlaps_within(parcels: Sequence[Parcel]) -> dict[int, list[overlaps.Overlap]]:
    """Parcels overlapping an earlier one of the same list by more than the tolerance: by
    position, the earlier parcels each overlaps and by how much (each pair reported once)."""
    tolerance = float(geo.limit("PARCEL_OVERLAP_TOLERANCE_M2", "10"))
    extents = [parcel.boundary.extent for parcel in parcels]  # once, not once per pair
    found = {}
    for index, later in enumerate(parcels):
        shared = [
            overlaps.Overlap(0, earlier.code, m2)
            for earlier_index, earlier in enumerate(parcels[:index])
            if _boxes_meet(extents[earlier_index], extents[index])
            and (m2 := _shared_m2(earlier, later)) > tolerance
        ]
        if shared:
            found[index] = shared
    return found


def _boxes_meet(first: tuple[float, ...], second: tuple[float, ...]) -> bool:
    return (
        first[0] <= second[2]
        and second[0] <= first[2]
        and first[1] <= second[3]
        and second[1] <= first[3]
    )


def _shared_m2(first: Parcel, second: Parcel) -> float:
    shared = first.boundary.intersection(second.boundary)
    return 0.0 if shared.empty else geo.area_m2(shared, epsg=first.area_epsg)


def check_boundaries_editable(parcels: Sequence[Parcel]) -> None:
    """BoundaryLocked when a stored submitted or validated parcel would get another boundary
    (one query for all rows; forms check it first, to show it as an error on the field)."""
    stored = Parcel.objects.filter(pk__in=[parcel.pk for parcel in parcels if parcel.pk])
    before = {
        pk: (status, boundary)
        for pk, status, boundary in stored.values_list("pk", "status", "boundary")
    }
    for parcel in parcels:
        if parcel.pk not in before:
            continue
        status, boundary = before[parcel.pk]
        if status not in EDITABLE_STATUSES and not boundary.equals_exact(parcel.boundary, 1e-9):
            raise BoundaryLocked(parcel_code=parcel.code)


def _lock_boundaries(parcels: Sequence[Parcel]) -> None:
    # Held to the commit, as save_parcel's: the overlap checks and the writes are one step for
    # every other saver or importer of the project's parcels (LockTimeout when busy).
    for project_id in sorted({parcel.project_id for parcel in parcels}):
        take_lock(PARCEL_BOUNDARIES, project_id)


# Atomic: all rows and their history rows, or none (a savepoint inside the caller's transaction).
@transaction.atomic
def register_parcels(
    *, rows: Sequence[Parcel], user: User | None = None, reason: str = ""
) -> list[Parcel]:
    """Register many parcels (unsaved, project and owner set; status as given: draft unless the
    caller loads parcels already reviewed, as the demo does), validated with parcel_errors under
    the projects' parcel lock. RowsInvalid naming each bad row, and nothing written, if any
    fails. Side effects: the parcels (their pks and areas set), a "+" history row each."""
    _lock_boundaries(rows)
    raise_for_rows(parcel_errors(rows))
    insert_with_history(Parcel, rows, user=user, reason=reason)
    return list(rows)


# Atomic: all rows and their history rows, or none (a savepoint inside the importer's commit).
@transaction.atomic
def update_parcels(
    *, rows: Sequence[Parcel], user: User | None = None, reason: str = ""
) -> list[Parcel]:
    """Save PARCEL_UPDATED_FIELDS of many stored draft or rejected parcels (BoundaryLocked
    for a submitted or validated one whose boundary changes), validated as register_parcels."""
    check_boundaries_editable(rows)
    _lock_boundaries(rows)
    raise_for_rows(parcel_errors(rows))
    update_with_history(Parcel, rows, PARCEL_UPDATED_FIELDS, user=user, reason=reason)
    return list(rows)
