"""Writes on field data: parcels and their workflow, plantings, survival counts, plots, trees.

The single-row writes (the admin's, the back-office forms', the API's) are thin: each calls the
concept's bulk service (parcels.bulk, parcels.bulk_parcels, parcels.bulk_monitoring) with one
row, the door the importer and the demo use, inside `one_row` (the row's errors by field, as a
form or a 400 shows them), then announces the write (`field_data_written`: bulk writes send no
model signals). Only the workflow's status changes write here.
"""

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import TypeVar, cast

from django.contrib.auth.models import User
from django.contrib.gis.geos import GEOSGeometry, Point
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from parcels import bulk, bulk_monitoring, bulk_parcels, geo
from parcels.choices import Arrangement, ParcelStatus, TreeOrigin, TreeStatus
from parcels.exceptions import BoundaryLocked, InvalidTransition
from parcels.models import (
    MonitoringPlot,
    Parcel,
    Planting,
    Species,
    Stratum,
    SurvivalCount,
    TreeMeasurement,
)
from parcels.signals import announce_field_data_written
from pichanaki.bulk import every_field
from pichanaki.locking import PARCEL_BOUNDARIES, take_lock
from pichanaki.rows import one_row
from smallholders.models import Smallholder
from smallholders.selectors import scope_for

EDITABLE_STATUSES = bulk_parcels.EDITABLE_STATUSES


def lock_project_parcels(*, project_id: int) -> None:
    """Serialise the parcel saves and parcel imports of one project until the transaction ends.

    The named lock PARCEL_BOUNDARIES (pichanaki.locking), not the project row, which the bulk
    services take too (parcels.bulk_parcels.check_parcels): two saves in the same project queue
    on it, so the second sees the first's boundary in its overlap check, while imports of other
    records, run approvals and the rest of the project go on. Raises LockTimeout (busy, try
    again) if it is not had within the purpose's timeout.
    """
    take_lock(PARCEL_BOUNDARIES, project_id)


def save_parcel(*, parcel: Parcel) -> Parcel:
    """Validate and save a new or changed parcel: one row through register_parcels or
    update_parcels (every field, as save()), the one write path for parcels.

    Preconditions: the owner belongs to the parcel's project; a submitted or validated
    parcel's boundary is not changed (BoundaryLocked). Locks: the project's parcel lock
    around the overlap check and the write (taken by the bulk service), so two concurrent saves
    cannot both claim the same land; LockTimeout if it is busy. Side effects: area_ha/area_epsg
    recomputed; a history row; field_data_written once committed.
    """
    parcel.project_id = parcel.project_id or parcel.smallholder.project_id
    with one_row():
        if parcel.pk is None:
            bulk_parcels.register_parcels(rows=[parcel])
        else:
            bulk_parcels.update_parcels(rows=[parcel], fields=every_field(Parcel))
    announce_field_data_written(project_id=parcel.project_id)
    return parcel


def register_parcel(
    *,
    smallholder: Smallholder,
    code: str,
    boundary: GEOSGeometry,
    land_use_before: str,
    fields: Mapping[str, object] | None = None,
) -> Parcel:
    """Create a draft parcel for `smallholder` (see save_parcel for checks and locks).

    `fields` may hold name, stratum, eligibility_no_forest, eligibility_note, eligibility_file.
    """
    parcel = Parcel(
        project_id=smallholder.project_id,
        smallholder=smallholder,
        code=(code or "").strip(),
        boundary=geo.as_multipolygon(boundary) if boundary is not None else None,
        land_use_before=land_use_before,
        area_ha=Decimal("0"),
        area_epsg=0,
        **dict(fields or {}),
    )
    return save_parcel(parcel=parcel)


def update_parcel_boundary(*, parcel: Parcel, boundary: GEOSGeometry) -> Parcel:
    """Redraw a draft or rejected parcel; a rejected one goes back to draft.

    Raises BoundaryLocked for submitted and validated parcels. Checks and locks: save_parcel.
    """
    if parcel.status not in EDITABLE_STATUSES:
        raise BoundaryLocked(parcel_code=parcel.code)
    parcel.boundary = geo.as_multipolygon(boundary)
    if parcel.status == ParcelStatus.REJECTED:
        parcel.status = ParcelStatus.DRAFT
    return save_parcel(parcel=parcel)


@transaction.atomic
def save_stratum(*, stratum: Stratum, fields: Mapping[str, object]) -> Stratum:
    """Save a new or changed stratum (reference data of a project, not field data: no bulk
    door) with `fields` set, checked with full_clean(). Side effects: a history row."""
    for name, value in fields.items():
        setattr(stratum, name, value)
    stratum.full_clean()
    stratum.save()
    return stratum


def check_boundary_editable(*, parcel: Parcel) -> None:
    """BoundaryLocked when a stored submitted or validated parcel would get another boundary
    (save_parcel checks it; forms check it first, to show it as an error on the field)."""
    bulk_parcels.check_boundaries_editable([parcel])


def _transition(
    *,
    parcel_id: int,
    allowed_from: tuple[str, ...],
    to: str,
    actor: User,
    reason: str = "",
) -> Parcel:
    """Compare-and-set: change status only if it is still one of `allowed_from`.

    The conditional UPDATE is atomic in the database, so of two concurrent transitions only
    one matches the old status; the other gets InvalidTransition. QuerySet.update() writes no
    history, so the history row is added explicitly, attributed to `actor`.
    """
    updated = Parcel.objects.filter(pk=parcel_id, status__in=allowed_from).update(
        status=to, rejection_reason=reason
    )
    parcel = Parcel.objects.get(pk=parcel_id)
    if updated != 1:
        raise InvalidTransition(
            parcel_code=parcel.code, current=parcel.get_status_display(), wanted=to
        )
    Parcel.history.bulk_history_create(
        [parcel], update=True, default_user=actor, default_change_reason=f"status → {to}"
    )
    return parcel


@transaction.atomic
def submit_parcel(*, parcel_id: int, actor: User) -> Parcel:
    """draft/rejected → submitted (cooperative staff or managers). CAS; history row."""
    return _transition(
        parcel_id=parcel_id, allowed_from=EDITABLE_STATUSES, to=ParcelStatus.SUBMITTED, actor=actor
    )


@transaction.atomic
def validate_parcel(*, parcel_id: int, actor: User) -> Parcel:
    """submitted → validated, by a project manager (or superuser) only. CAS; history row."""
    _require_manager(actor)
    return _transition(
        parcel_id=parcel_id,
        allowed_from=(ParcelStatus.SUBMITTED,),
        to=ParcelStatus.VALIDATED,
        actor=actor,
    )


@transaction.atomic
def reject_parcel(*, parcel_id: int, actor: User, reason: str) -> Parcel:
    """submitted/validated → rejected with a reason, by a manager (or superuser). CAS."""
    _require_manager(actor)
    if not (reason or "").strip():
        raise ValidationError(
            {"rejection_reason": _("Give the reason for rejecting the parcel.")},
            code="required",
        )
    return _transition(
        parcel_id=parcel_id,
        allowed_from=(ParcelStatus.SUBMITTED, ParcelStatus.VALIDATED),
        to=ParcelStatus.REJECTED,
        actor=actor,
        reason=reason.strip(),
    )


def _require_manager(actor: User) -> None:
    if not scope_for(actor).manages:
        raise PermissionDenied(_("Only project managers validate or reject parcels."))


def record_planting(
    *,
    parcel: Parcel,
    species: Species,
    planted_on: dt.date,
    trees_planted: int,
    arrangement: str = Arrangement.SHADE,
    replanting_of: Planting | None = None,
    notes: str = "",
) -> Planting:
    """Record trees of one species planted on a parcel on one date.

    Checks: date not in the future; replanting of an earlier planting of the same parcel;
    trees per hectare of the parcel within the species' planting densities.
    """
    planting = Planting(
        parcel=parcel,
        species=species,
        planted_on=planted_on,
        trees_planted=trees_planted,
        arrangement=arrangement,
        replanting_of=replanting_of,
        notes=notes,
    )
    return save_field_record(record=planting)


def record_survival_count(
    *, planting: Planting, counted_on: dt.date, trees_alive: int
) -> SurvivalCount:
    """Record how many trees of a planting were alive on a date (0..planted, not before it)."""
    return save_field_record(
        record=SurvivalCount(planting=planting, counted_on=counted_on, trees_alive=trees_alive)
    )


def record_monitoring_plot(
    *,
    parcel: Parcel,
    code: str,
    centre: Point,
    measured_on: dt.date,
    radius_m: Decimal | None = None,
    area_m2: Decimal | None = None,
    slope_pct: Decimal | None = None,
    fields: Mapping[str, object] | None = None,
) -> MonitoringPlot:
    """Record one visit to a sample plot of a parcel.

    The horizontal area comes from the radius (reduced to the horizontal when `slope_pct` is
    given) or is given directly (MonitoringPlot.clean(), among the checks, derives it). Checks:
    centre inside the parcel; date not in the future and not before the parcel's first
    planting. `fields` may hold team, permanent, notes.
    """
    plot = MonitoringPlot(
        parcel=parcel,
        code=code,
        centre=centre,
        measured_on=measured_on,
        radius_m=radius_m,
        area_m2=area_m2,  # type: ignore[misc]  # None until clean() derives it from the radius
        slope_pct=slope_pct,
        **dict(fields or {}),
    )
    return save_field_record(record=plot)


def record_tree_measurement(
    *,
    plot: MonitoringPlot,
    species: Species,
    tree_tag: str,
    dbh_cm: Decimal,
    height_m: Decimal | None = None,
    stem: int = 1,
    status: str = TreeStatus.ALIVE,
    origin: str = TreeOrigin.PLANTED,
    fields: Mapping[str, object] | None = None,
) -> TreeMeasurement:
    """Record one stem measured in a plot visit (DBH 0–300 cm, height 0–70 m and above 1.3 m).

    `fields` may hold wood_density and notes. The tag and stem are unique per plot visit.
    """
    tree = TreeMeasurement(
        plot=plot,
        species=species,
        tree_tag=tree_tag,
        dbh_cm=dbh_cm,
        height_m=height_m,
        stem=stem,
        status=status,
        origin=origin,
        **dict(fields or {}),
    )
    return save_field_record(record=tree)


FieldRecord = Planting | SurvivalCount | MonitoringPlot | TreeMeasurement
_Record = TypeVar("_Record", Planting, SurvivalCount, MonitoringPlot, TreeMeasurement)


def save_field_record(*, record: _Record) -> _Record:
    """Save a planting, survival count, plot or tree measurement (the record_* services' rows,
    the admin's forms): a new one as one row through the concept's bulk record service
    (record_plantings, …: its checks, ValidationError by field here), a stored one as
    update_field_record. Side effects: the row, its history row; field_data_written once
    committed."""
    if record.pk is not None:
        return update_field_record(record=record, fields={})
    with one_row():
        if isinstance(record, Planting):
            bulk.record_plantings(rows=[record])
        elif isinstance(record, SurvivalCount):
            bulk.record_survival_counts(rows=[record])
        elif isinstance(record, MonitoringPlot):
            bulk_monitoring.record_monitoring_plots(rows=[record])
        elif isinstance(record, TreeMeasurement):
            bulk_monitoring.record_tree_measurements(rows=[record])
        else:
            raise TypeError(f"not a field record: {record!r}")
    announce_field_data_written(project_id=_project_of(record))
    return record


def update_field_record(*, record: _Record, fields: Mapping[str, object]) -> _Record:
    """Change a planting, survival count, plot or tree measurement: one row through the
    concept's bulk update (update_plantings, …: the checks of its record_* service), every
    field saved, as save(). History row; field_data_written once committed."""
    for name, value in fields.items():
        setattr(record, name, value)
    saved = every_field(type(record))
    with one_row():
        if isinstance(record, Planting):
            bulk.update_plantings(rows=[record], fields=saved)
        elif isinstance(record, SurvivalCount):
            bulk.update_survival_counts(rows=[record], fields=saved)
        elif isinstance(record, MonitoringPlot):
            bulk_monitoring.update_monitoring_plots(rows=[record], fields=saved)
        elif isinstance(record, TreeMeasurement):
            bulk_monitoring.update_tree_measurements(rows=[record], fields=saved)
        else:
            raise TypeError(f"not a field record: {record!r}")
    announce_field_data_written(project_id=_project_of(record))
    return record


def _project_of(record: FieldRecord) -> int:
    if isinstance(record, SurvivalCount):
        return _project_of(record.planting)
    if isinstance(record, TreeMeasurement):
        return _project_of(record.plot)
    return record.parcel.project_id


def update_parcel(*, parcel: Parcel, fields: Mapping[str, object]) -> Parcel:
    """Change a parcel's attributes (and boundary, via update_parcel_boundary's rules)."""
    fields = dict(fields)
    # Forms and serializers give the boundary as a geometry.
    boundary = cast(GEOSGeometry | None, fields.pop("boundary", None))
    for name, value in fields.items():
        setattr(parcel, name, value)
    if boundary is not None and not boundary.equals_exact(parcel.boundary, 1e-9):
        return update_parcel_boundary(parcel=parcel, boundary=boundary)
    return save_parcel(parcel=parcel)
