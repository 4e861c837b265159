"""Parcels written many rows at a time: the one door of every writer of parcels (see
parcels.bulk). `parcel_errors` is their one validator; `check_parcels` runs it under the
projects' parcel lock and gives the rows as CheckedParcels, which `register_parcels` and
`update_parcels` then write without checking again (the importer checks at planning)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from parcels import geo, overlaps, validation
from parcels.choices import ParcelStatus
from parcels.exceptions import BoundaryLocked
from parcels.models import Parcel
from pichanaki.bulk import insert_with_history, update_with_history
from pichanaki.locking import PARCEL_BOUNDARIES, take_lock
from pichanaki.rows import add_error, constraint_error, raise_for_rows, repeated, row_errors

#: the statuses whose boundary may be redrawn
EDITABLE_STATUSES = (ParcelStatus.DRAFT, ParcelStatus.REJECTED)
#: the fields update_parcels saves unless told, the importer's (project and code identify a
#: parcel; status has its workflow)
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

    The one validator of parcels (check_parcels: register_parcels, update_parcels, the importer):
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
    # Held to the commit: the overlap checks and the writes are one step for every other saver
    # or importer of the project's parcels (LockTimeout when busy).
    for project_id in sorted({parcel.project_id for parcel in parcels}):
        take_lock(PARCEL_BOUNDARIES, project_id)


@dataclass(frozen=True, eq=False)
class CheckedParcels:
    """Parcels checked together with parcel_errors by `check_parcels` (their `errors` by row):
    register_parcels and update_parcels write them (or a part of them, `only`) without checking
    again while the check `holds`: in the transaction that took the projects' parcel lock for
    it, on rows unchanged since. Otherwise they check them again: never written unchecked."""

    rows: tuple[Parcel, ...]
    errors: dict[int, ValidationError]
    #: a callback queued on the commit of the checking transaction (None: not checked in one)
    _expires: Callable[[], None] | None
    _values: tuple[tuple[object, ...], ...]  # each row's fields when checked

    def only(self, rows: Sequence[Parcel]) -> "CheckedParcels":
        """These rows (each checked here, without errors) as checked on their own: a part of
        rows checked together passes every check of theirs."""
        numbers = {id(parcel): number for number, parcel in enumerate(self.rows, 1)}
        taken = [numbers.get(id(parcel), 0) for parcel in rows]
        if 0 in taken or self.errors.keys() & taken:
            raise ValueError("Only rows checked here without errors can be taken.")
        values = tuple(self._values[number - 1] for number in taken)
        return CheckedParcels(tuple(rows), {}, self._expires, values)

    def holds(self) -> bool:
        # Django empties its list of on-commit callbacks when the transaction ends (commit or
        # rollback) and drops those of a rolled-back savepoint: ours gone, the lock may be too.
        mark = self._expires
        queued = mark is not None and any(entry[1] is mark for entry in connection.run_on_commit)
        return queued and not self.errors and self._values == _fields_of(self.rows)


def check_parcels(*, rows: Sequence[Parcel]) -> CheckedParcels:
    """parcel_errors for these rows (new and stored ones, checked together), under the projects'
    parcel lock when in a transaction (taken here, held to its end): rows register_parcels and
    update_parcels then write without checking them again (see CheckedParcels)."""
    expires = None
    if connection.in_atomic_block:
        _lock_boundaries(rows)
        expires = _expiry()
        transaction.on_commit(expires)
    errors = parcel_errors(rows)
    return CheckedParcels(tuple(rows), errors, expires, _fields_of(rows))


def _expiry() -> Callable[[], None]:
    return lambda: None  # a new object each time: the mark of one check


def _fields_of(parcels: Sequence[Parcel]) -> tuple[tuple[object, ...], ...]:
    names = [field.attname for field in Parcel._meta.concrete_fields]
    return tuple(
        tuple(bytes(v.ewkb) if isinstance(v, GEOSGeometry) else v for v in values)
        for values in ([getattr(parcel, name) for name in names] for parcel in parcels)
    )


def _checked(rows: Sequence[Parcel] | CheckedParcels) -> list[Parcel]:
    """The rows to write: checked ones whose check holds as they are, others checked now
    (under the projects' parcel lock; RowsInvalid naming each bad row if any fails)."""
    if isinstance(rows, CheckedParcels):
        if rows.holds():
            return list(rows.rows)
        rows = rows.rows
    checked = check_parcels(rows=rows)
    raise_for_rows(checked.errors)
    return list(checked.rows)


# Atomic: all rows and their history rows, or none (a savepoint inside the caller's transaction).
@transaction.atomic
def register_parcels(
    *, rows: Sequence[Parcel] | CheckedParcels, user: User | None = None, reason: str = ""
) -> list[Parcel]:
    """Register many parcels (unsaved, project and owner set; status as given: draft unless the
    caller loads parcels already reviewed, as the demo does), validated with parcel_errors under
    the projects' parcel lock (once: CheckedParcels whose check holds are not checked again).
    RowsInvalid naming each bad row, and nothing written, if any fails. Side effects: the
    parcels (their pks and areas set), a "+" history row each."""
    parcels = _checked(rows)
    insert_with_history(Parcel, parcels, user=user, reason=reason)
    return parcels


# Atomic: all rows and their history rows, or none (a savepoint inside the caller's transaction).
@transaction.atomic
def update_parcels(
    *,
    rows: Sequence[Parcel] | CheckedParcels,
    fields: Sequence[str] = PARCEL_UPDATED_FIELDS,
    user: User | None = None,
    reason: str = "",
) -> list[Parcel]:
    """Save `fields` of many stored draft or rejected parcels (BoundaryLocked for a submitted
    or validated one whose boundary changes), validated as register_parcels."""
    check_boundaries_editable(rows.rows if isinstance(rows, CheckedParcels) else rows)
    parcels = _checked(rows)
    update_with_history(Parcel, parcels, fields, user=user, reason=reason)
    return parcels
