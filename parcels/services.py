"""Writes on field data: parcels and their workflow, plantings, survival counts, plots, trees.

Every service validates with the checks of `parcels.validation` / `parcels.geo` and saves
atomically, so the admin, the API and the importer share one set of rules.
"""

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import cast

from django.contrib.auth.models import User
from django.contrib.gis.geos import GEOSGeometry, Point
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from parcels import bulk, bulk_monitoring, geo, validation
from parcels.choices import Arrangement, ParcelStatus, TreeOrigin, TreeStatus
from parcels.exceptions import BoundaryLocked, InvalidTransition
from parcels.models import (
    MonitoringPlot,
    Parcel,
    Planting,
    Species,
    SurvivalCount,
    TreeMeasurement,
)
from pichanaki.locking import PARCEL_BOUNDARIES, take_lock
from smallholders.models import Smallholder
from smallholders.selectors import scope_for

EDITABLE_STATUSES = bulk.EDITABLE_STATUSES


def lock_project_parcels(*, project_id: int) -> None:
    """Serialise the parcel saves and parcel imports of one project until the transaction ends.

    The named lock PARCEL_BOUNDARIES (pichanaki.locking), not the project row: two saves in
    the same project queue here, so the second sees the first's boundary in its overlap check,
    while imports of other records, run approvals and the rest of the project go on. Raises
    LockTimeout (busy, try again) if it is not had within the purpose's timeout.
    """
    take_lock(PARCEL_BOUNDARIES, project_id)


@transaction.atomic
def save_parcel(*, parcel: Parcel) -> Parcel:
    """Validate and save a new or changed parcel; the one write path for parcels.

    Preconditions: the owner belongs to the parcel's project; a submitted or validated
    parcel's boundary is not changed (BoundaryLocked). Locks: the project's parcel lock
    (lock_project_parcels) around the overlap check and the write, so two concurrent saves
    cannot both claim the same land; LockTimeout if it is busy. Side effects: area_ha/area_epsg
    recomputed; a history row.
    """
    parcel.project_id = parcel.project_id or parcel.smallholder.project_id
    check_boundary_editable(parcel=parcel)
    # Held to the commit: the overlap check below and the write are one step for other savers.
    lock_project_parcels(project_id=parcel.project_id)
    errors = bulk.parcel_errors([parcel])  # the validator of register_parcels/update_parcels
    if errors:
        raise errors[1]
    parcel.save()
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


def check_boundary_editable(*, parcel: Parcel) -> None:
    """BoundaryLocked when a stored submitted or validated parcel would get another boundary
    (save_parcel checks it; forms check it first, to show it as an error on the field)."""
    bulk.check_boundaries_editable([parcel])


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


@transaction.atomic
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
    bulk.validate_planting(planting)  # the validator of record_plantings
    planting.save()
    return planting


@transaction.atomic
def record_survival_count(
    *, planting: Planting, counted_on: dt.date, trees_alive: int
) -> SurvivalCount:
    """Record how many trees of a planting were alive on a date (0..planted, not before it)."""
    count = SurvivalCount(planting=planting, counted_on=counted_on, trees_alive=trees_alive)
    errors = bulk.survival_count_errors([count])  # the validator of record_survival_counts
    if errors:
        raise errors[1]
    count.save()
    return count


@transaction.atomic
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
    given) or is given directly. Checks: centre inside the parcel; date not in the future and
    not before the parcel's first planting. `fields` may hold team, permanent, notes.
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
    # The validator of record_monitoring_plots; MonitoringPlot.clean() derives the area.
    errors = bulk_monitoring.monitoring_plot_errors([plot])
    if errors:
        raise errors[1]
    plot.save()
    return plot


def _check_plot_centre(plot: MonitoringPlot) -> None:
    if plot.centre is None or plot.parcel.boundary.intersects(plot.centre):
        return
    raise bulk_monitoring.centre_outside(plot.parcel.code)


@transaction.atomic
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
    errors = bulk_monitoring.tree_measurement_errors([tree])  # record_tree_measurements' too
    if errors:
        raise errors[1]
    tree.save()
    return tree


@transaction.atomic
def update_field_record(
    *,
    record: Planting | SurvivalCount | MonitoringPlot | TreeMeasurement,
    fields: Mapping[str, object],
) -> Planting | SurvivalCount | MonitoringPlot | TreeMeasurement:
    """Change a planting, survival count, plot or tree measurement with the checks of the
    matching record_* service (model clean(), planting density, plot centre). History row."""
    for name, value in fields.items():
        setattr(record, name, value)
    checks: list[Callable[[], object]] = [record.full_clean]
    if isinstance(record, Planting):
        checks = [lambda: bulk.validate_planting(record)]
    if isinstance(record, MonitoringPlot):
        checks.append(lambda: _check_plot_centre(record))
    validation.collect_errors(*checks)
    record.save()
    return record


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
