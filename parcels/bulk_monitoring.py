"""Monitoring written many rows at a time: plot visits and tree measurements (see parcels.bulk).

One door per concept, which the single-row services of `parcels.services` call with one row:
record_monitoring_plots/update_monitoring_plots (monitoring_plot_errors) and
record_tree_measurements/update_tree_measurements (tree_measurement_errors).
`tree_measurement_column_errors` applies the same rules, each field's own checks and
TreeMeasurement.clean()'s, to rows given as columns (the importer's 100,000-row files), once
per distinct value instead of once per row.
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Field, Min
from django.utils.translation import gettext_lazy as _

from parcels import validation
from parcels.models import MonitoringPlot, Parcel, Planting, TreeMeasurement
from pichanaki.bulk import insert_columns_with_history, insert_with_history, update_with_history
from pichanaki.rows import add_error, constraint_error, raise_for_rows, repeated, row_errors

#: the fields update_tree_measurements saves unless told (plot, tag and stem identify a stem)
TREE_UPDATED_FIELDS = ("species", "dbh_cm", "height_m", "status", "origin", "notes")
#: the fields update_monitoring_plots saves unless told (parcel, code and date identify a visit)
PLOT_UPDATED_FIELDS = ("centre", "radius_m", "slope_pct", "area_m2", "team", "permanent", "notes")


def validate_monitoring_plot(plot: MonitoringPlot) -> None:
    """A visit's own rules: its fields and clean() (the horizontal area derived from the radius,
    a date not in the future). Its parcel is a row the caller holds: not looked up here."""
    plot.full_clean(exclude=["parcel"], validate_unique=False, validate_constraints=False)


def monitoring_plot_errors(plots: Sequence[MonitoringPlot]) -> dict[int, ValidationError]:
    """Every rule of new plot visits, for all rows at once: the errors by row (from 1).

    Each row's own rules (validate_monitoring_plot); then, with one query each for all rows:
    the centre lies inside the parcel, the visit is not before the parcel's first planting, and
    the plot was not measured on that date already (stored but the row itself, or an earlier
    row).
    """
    found = row_errors(plots, validate_monitoring_plot)
    parcel_ids = {plot.parcel_id for plot in plots}
    parcels = {
        pk: (code, boundary)
        for pk, code, boundary in Parcel.objects.filter(pk__in=parcel_ids).values_list(
            "pk", "code", "boundary"
        )
    }
    first = dict(
        Planting.objects.filter(parcel_id__in=parcel_ids)
        .values("parcel_id")
        .annotate(first=Min("planted_on"))
        .values_list("parcel_id", "first")
    )
    keys = [(plot.parcel_id, plot.code, plot.measured_on) for plot in plots]
    stored = set(
        MonitoringPlot.objects.filter(
            parcel_id__in=parcel_ids, code__in={code for _parcel, code, _day in keys}
        )
        .exclude(pk__in=[plot.pk for plot in plots if plot.pk])
        .values_list("parcel_id", "code", "measured_on")
    )
    again = repeated(keys)
    for number, plot in enumerate(plots, 1):
        code, boundary = parcels.get(plot.parcel_id, ("", None))
        if (
            plot.centre is not None
            and boundary is not None
            and not boundary.intersects(plot.centre)
        ):
            add_error(found, number, centre_outside(code))
        try:
            validation.validate_after_planting(
                plot.measured_on, first_planted_on=first.get(plot.parcel_id)
            )
        except ValidationError as exc:
            add_error(found, number, exc)
        if keys[number - 1] in stored or number in again:
            add_error(found, number, constraint_error(MonitoringPlot, "_unique_visit"))
    return found


def centre_outside(code: str) -> ValidationError:
    # The params on the field's own error: a dict's outer params reach no message.
    message = _("The plot centre lies outside parcel %(code)s.")
    error = ValidationError(message, code="centre_outside", params={"code": code})
    return ValidationError({"centre": error})


# Atomic: all rows and their history rows, or none (a savepoint inside the caller's transaction).
@transaction.atomic
def record_monitoring_plots(
    *, rows: Sequence[MonitoringPlot], user: User | None = None, reason: str = ""
) -> list[MonitoringPlot]:
    """Record many plot visits (unsaved), validated with monitoring_plot_errors. RowsInvalid
    naming each bad row, and nothing written, if any fails. Side effects: the visits (their pks
    and areas set) and a "+" history row each."""
    raise_for_rows(monitoring_plot_errors(rows))
    insert_with_history(MonitoringPlot, rows, user=user, reason=reason)
    return list(rows)


# Atomic: all rows and their history rows, or none (a savepoint inside the caller's transaction).
@transaction.atomic
def update_monitoring_plots(
    *,
    rows: Sequence[MonitoringPlot],
    fields: Sequence[str] = PLOT_UPDATED_FIELDS,
    user: User | None = None,
    reason: str = "",
) -> list[MonitoringPlot]:
    """Save `fields` of many stored plot visits, validated as record_monitoring_plots.
    RowsInvalid naming each bad row, and nothing written, if any fails. A "~" history row each."""
    raise_for_rows(monitoring_plot_errors(rows))
    update_with_history(MonitoringPlot, rows, fields, user=user, reason=reason)
    return list(rows)


def validate_tree_measurement(tree: TreeMeasurement) -> None:
    """A stem's rules: its fields and clean() (DBH 0–300 cm; height 0–70 m, and above breast
    height unless the DBH is small). Plot and species are rows the caller holds."""
    tree.full_clean(exclude=["plot", "species"], validate_unique=False, validate_constraints=False)


def tree_measurement_errors(trees: Sequence[TreeMeasurement]) -> dict[int, ValidationError]:
    """validate_tree_measurement for each row, and one stem per plot visit, tag and stem
    (none stored but the row itself, none repeated in the rows), in one query."""
    found = row_errors(trees, validate_tree_measurement)
    keys = [(tree.plot_id, tree.tree_tag, tree.stem) for tree in trees]
    _check_stems(keys, [tree.pk for tree in trees if tree.pk], found)
    return found


def _check_stems(keys: Sequence[tuple], own: Sequence[int], found: dict) -> None:
    stored = set(
        TreeMeasurement.objects.filter(plot_id__in={plot for plot, _tag, _stem in keys})
        .exclude(pk__in=own)
        .values_list("plot_id", "tree_tag", "stem")
    )
    again = repeated(keys)
    for number, key in enumerate(keys, 1):
        if key in stored or number in again:
            add_error(found, number, constraint_error(TreeMeasurement, "_unique_stem"))


# Atomic: all rows and their history rows, or none (a savepoint inside the caller's transaction).
@transaction.atomic
def record_tree_measurements(
    *, rows: Sequence[TreeMeasurement], user: User | None = None, reason: str = ""
) -> list[TreeMeasurement]:
    """Record many stems (unsaved), each validated with validate_tree_measurement, one per plot
    visit, tag and stem. RowsInvalid naming each bad row, and nothing written, if any fails.
    Side effects: the measurements (their pks set) and a "+" history row each."""
    raise_for_rows(tree_measurement_errors(rows))
    insert_with_history(TreeMeasurement, rows, user=user, reason=reason)
    return list(rows)


# Atomic: all rows and their history rows, or none (a savepoint inside the importer's commit).
@transaction.atomic
def update_tree_measurements(
    *,
    rows: Sequence[TreeMeasurement],
    fields: Sequence[str] = TREE_UPDATED_FIELDS,
    user: User | None = None,
    reason: str = "",
) -> list[TreeMeasurement]:
    """Save `fields` of many stored stems, validated as record_tree_measurements."""
    raise_for_rows(tree_measurement_errors(rows))
    update_with_history(TreeMeasurement, rows, fields, user=user, reason=reason)
    return list(rows)


def tree_measurement_column_errors(
    columns: Mapping[str, Sequence[object]],
) -> dict[int, ValidationError]:
    """validate_tree_measurement's rules for rows given as columns (by attname; plot_id and
    species_id are rows the caller holds), and one stem per plot visit, tag and stem: each
    field's own checks once per distinct value, clean()'s once per distinct (DBH, height)."""
    found: dict[int, ValidationError] = {}
    for name, column in columns.items():
        if name in ("plot_id", "species_id"):
            continue
        field = TreeMeasurement._meta.get_field(name)
        assert isinstance(field, Field)  # a concrete column, not a relation
        bad = {}
        for value in set(column):
            try:
                field.clean(value, None)
            except ValidationError as exc:
                bad[value] = ValidationError({name: exc.error_list})
        if bad:
            for index, value in enumerate(column):
                if value in bad:
                    add_error(found, index + 1, bad[value])
    for number, error in _clean_errors(columns["dbh_cm"], columns["height_m"]).items():
        add_error(found, number, error)
    keys = list(zip(columns["plot_id"], columns["tree_tag"], columns["stem"], strict=True))
    _check_stems(keys, [], found)
    return found


def _clean_errors(dbhs: Sequence, heights: Sequence) -> dict[int, ValidationError]:
    """TreeMeasurement.clean() by column, the errors by row (from 1): validate_dbh once per
    distinct DBH, validate_height once per distinct height; only a height above 0 and up to
    breast height also depends on the row's DBH, so only those rows are checked again with it
    (they are few)."""
    bad: dict[object, ValidationError] = {}
    for dbh in set(dbhs):
        _catch(bad, ("dbh", dbh), validation.validate_dbh, dbh)
    for height in set(heights):
        _catch(bad, ("height", height), validation.validate_height, height)
    low = {h for h in set(heights) if h is not None and 0 < h <= validation.BREAST_HEIGHT_M}
    found: dict[int, ValidationError] = {}
    if not bad and not low:  # the usual case: no row to look at one by one
        return found
    for index, (dbh, height) in enumerate(zip(dbhs, heights, strict=True)):
        for key in (("dbh", dbh), ("height", height)):
            if key in bad:
                add_error(found, index + 1, bad[key])
        if height in low:
            try:
                validation.validate_height(height, dbh_cm=dbh)
            except ValidationError as exc:
                add_error(found, index + 1, exc)
    return found


def _catch(bad: dict, key: object, check: Callable[[Any], object], value: object) -> None:
    try:
        check(value)
    except ValidationError as exc:
        bad[key] = exc


# Atomic: all rows and their history rows, or none (a savepoint inside the importer's commit).
@transaction.atomic
def record_tree_measurement_columns(
    *,
    columns: Mapping[str, Sequence[object]],
    count: int,
    user: User | None = None,
    reason: str = "",
) -> int:
    """Record `count` stems given as columns (`columns[attname][i]`; fields without a column
    take their defaults), validated with tree_measurement_column_errors; RowsInvalid naming
    each bad row, and nothing written, if any fails. Written with COPY on PostgreSQL, without
    model instances (pichanaki.bulk.insert_columns_with_history). Returns `count`."""
    raise_for_rows(tree_measurement_column_errors(columns))
    insert_columns_with_history(TreeMeasurement, columns, count, user=user, reason=reason)
    return count
