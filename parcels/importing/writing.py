"""Bulk writes that keep the audit trail: every imported record gets its own history row.

Choice (documented for the audit): one simple_history entry per created or updated record,
with the importing user and "import #<job>" as the change reason, exactly as if the record had
been saved in the admin. Per-batch summary entries would be cheaper but would leave records
without a "created" entry, so the history page of an imported tree would be empty.

On PostgreSQL new rows and their history rows are streamed with COPY (ids reserved from the
table's sequence first, so history rows can point at them); elsewhere simple_history's
`bulk_create_with_history` does the same through `bulk_create`. Updates, rarer, always use
`bulk_update_with_history`. Callers run these inside their transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.gis.db.models import GeometryField
from django.db import connection
from django.db.models import DateField, Model
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

BATCH_SIZE = 2000
_HISTORY_BOOKKEEPING = {"history_id"}


def insert_with_history(
    model: type[Model],
    instances: Sequence[Model],
    *,
    user: AbstractBaseUser | None,
    reason: str,
) -> None:
    """Insert `instances` (their pks are set afterwards) and one "+" history row for each."""
    if not instances:
        return
    if settings.POSTGRES:
        _copy_insert(model, instances, user, reason)
        return
    bulk_create_with_history(
        list(instances),
        model,
        batch_size=BATCH_SIZE,
        default_user=user,
        default_change_reason=reason,
    )


def update_with_history(
    model: type[Model],
    instances: Sequence[Model],
    fields: Sequence[str],
    *,
    user: AbstractBaseUser | None,
    reason: str,
) -> None:
    """Save `fields` of existing `instances` and one "~" history row for each."""
    if not instances:
        return
    for instance in instances:
        _fill_auto_dates(instance, add=False)
    auto = [f.name for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
    bulk_update_with_history(
        list(instances),
        model,
        [*fields, *auto],
        batch_size=BATCH_SIZE,
        default_user=user,
        default_change_reason=reason,
    )


def _fill_auto_dates(instance: Model, *, add: bool) -> None:
    for field in instance._meta.concrete_fields:
        if isinstance(field, DateField) and (field.auto_now or (add and field.auto_now_add)):
            field.pre_save(instance, add)


def _copy_insert(
    model: type[Model], instances: Sequence[Model], user: AbstractBaseUser | None, reason: str
) -> None:
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    with connection.cursor() as cursor:
        ids = _reserve_ids(cursor, model, len(instances))
        for instance, pk in zip(instances, ids, strict=True):
            instance.pk = pk
            _fill_auto_dates(instance, add=True)
            instance._state.adding = False
        columns = [model._meta.pk, *fields]
        rows = ([_db_value(f, getattr(obj, f.attname)) for f in columns] for obj in instances)
        _copy(cursor, model._meta.db_table, [f.column for f in columns], rows)
        _copy_history(cursor, model, instances, user, reason)


def _reserve_ids(cursor: object, model: type[Model], count: int) -> list[int]:
    meta = model._meta
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
        [meta.db_table, meta.pk.column, count],
    )
    return [row[0] for row in cursor.fetchall()]


def _copy_history(
    cursor: object,
    model: type[Model],
    instances: Sequence[Model],
    user: AbstractBaseUser | None,
    reason: str,
) -> None:
    history = model.history.model
    fixed = {
        "history_date": timezone.now(),
        "history_change_reason": reason,
        "history_type": "+",
        "history_user_id": getattr(user, "pk", None),
    }
    fields = [f for f in history._meta.concrete_fields if f.name not in _HISTORY_BOOKKEEPING]
    own = [(f, f.attname not in fixed) for f in fields]
    rows = (
        [
            _db_value(f, getattr(obj, f.attname)) if from_obj else fixed[f.attname]
            for f, from_obj in own
        ]
        for obj in instances
    )
    _copy(cursor, history._meta.db_table, [f.column for f in fields], rows)


def _copy(cursor: object, table: str, columns: list[str], rows: object) -> None:
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    statement = f"COPY {connection.ops.quote_name(table)} ({names}) FROM STDIN"  # noqa: S608
    with cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _db_value(field: object, value: object) -> object:
    if value is not None and isinstance(field, GeometryField):
        return value.hexewkb.decode()
    if isinstance(value, FieldFile):  # also in history tables, where the column is text
        return value.name or ""
    return value
