"""Bulk writes that keep the audit trail: every imported record gets its own history row.

Choice (documented for the audit): one simple_history entry per created or updated record,
with the importing user and "import #<job>" as the change reason, exactly as if the record had
been saved in the admin. Per-batch summary entries would be cheaper but would leave records
without a "created" entry, so the history page of an imported tree would be empty.

On PostgreSQL new rows and their history rows are streamed with COPY (ids reserved from the
table's sequence first, so history rows can point at them); elsewhere simple_history's
`bulk_create_with_history` does the same through `bulk_create`. Updates, rarer, always use
`bulk_update_with_history`. Callers run these inside their transaction.

:func:`insert_columns_with_history` takes the rows as columns (one list per field) instead of
model instances, for 100,000-row imports: on PostgreSQL each column is turned into COPY text
once per distinct value and the table and history rows are written without any model instance.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.gis.db.models import GeometryField
from django.db import connection
from django.db.models import DateField, DateTimeField, FileField, Model
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

BATCH_SIZE = 2000
COPY_CHUNK = 50_000  # rows per write of a COPY
_HISTORY_BOOKKEEPING = {"history_id"}
_NULL = "\\N"
# COPY text format: a backslash, tab, newline or carriage return inside a value is escaped.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def insert_with_history(
    model: type[Model],
    instances: Sequence[Model],
    *,
    user: User | None,
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


def insert_columns_with_history(
    model: type[Model],
    cells: Mapping[str, Sequence[object]],
    count: int,
    *,
    user: User | None,
    reason: str,
) -> None:
    """Insert `count` rows given as columns (`cells[attname][i]`) and a "+" history row each.

    Fields without a column take their default (auto dates: now). Nothing is returned: the
    caller has no instances to give pks to.
    """
    if not count:
        return
    if not settings.POSTGRES:
        instances = [
            model(**{name: column[i] for name, column in cells.items()}) for i in range(count)
        ]
        insert_with_history(model, instances, user=user, reason=reason)
        return
    with connection.cursor() as cursor:
        ids = _reserve_ids(cursor, model, count)
        text = {model._meta.pk.attname: list(map(str, ids))}
        for field in model._meta.concrete_fields:
            if not field.primary_key:
                text[field.attname] = _column_text(field, cells, count)
        _copy_text(cursor, model._meta.db_table, model._meta.concrete_fields, text)
        history = model.history.model
        now = timezone.now()
        text |= {
            "history_date": [_text(now)] * count,
            "history_change_reason": [_text(reason)] * count,
            "history_type": ["+"] * count,
            "history_user_id": [_text(getattr(user, "pk", None))] * count,
        }
        fields = [f for f in history._meta.concrete_fields if f.name not in _HISTORY_BOOKKEEPING]
        _copy_text(cursor, history._meta.db_table, fields, text)


def _column_text(field: object, cells: Mapping[str, Sequence[object]], count: int) -> list[str]:
    """A field's COPY text for every row: its column, or its default repeated."""
    if field.attname in cells:
        return _encode(cells[field.attname])
    if isinstance(field, DateField) and (field.auto_now or field.auto_now_add):
        now = timezone.now()
        default = now if isinstance(field, DateTimeField) else timezone.localdate(now)
    else:
        default = field.get_default()
    return [_text(_db_value(field, default))] * count


def _encode(values: Sequence[object]) -> list[str]:
    """COPY text of each value, computed once per distinct value (columns repeat a lot)."""
    try:
        texts = {value: _text(value) for value in set(values)}
    except TypeError:  # unhashable values (none in the columnar importers): one by one
        return [_text(value) for value in values]
    return list(map(texts.__getitem__, values))


def _text(value: object) -> str:
    if value is None:
        return _NULL
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _copy_text(cursor: object, table: str, fields: Sequence[object], text: dict) -> None:
    """COPY the rows made of these fields' text columns (taken from `text` by attname)."""
    columns = [text[field.attname] for field in fields]
    names = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    statement = f"COPY {connection.ops.quote_name(table)} ({names}) FROM STDIN"  # noqa: S608
    lines = map("\t".join, zip(*columns, strict=True))
    # The raw COPY bypasses Django's cursor: its errors are raised as Django's (IntegrityError
    # for a constraint), as every other write's are.
    with connection.wrap_database_errors, cursor.cursor.copy(statement) as copy:
        # In chunks: the whole table as one text would cost ~100 MB for 372,387 rows.
        while chunk := list(itertools.islice(lines, COPY_CHUNK)):
            copy.write("\n".join(chunk) + "\n")


def update_with_history(
    model: type[Model],
    instances: Sequence[Model],
    fields: Sequence[str],
    *,
    user: User | None,
    reason: str,
) -> None:
    """Save `fields` of existing `instances` and one "~" history row for each."""
    if not instances:
        return
    for instance in instances:
        _pre_save(instance, add=False)
    auto = [f.name for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
    bulk_update_with_history(
        list(instances),
        model,
        [*fields, *(name for name in auto if name not in fields)],
        batch_size=BATCH_SIZE,
        default_user=user,
        default_change_reason=reason,
    )


def every_field(model: type[Model]) -> tuple[str, ...]:
    """The fields save() writes: every concrete field but the primary key."""
    return tuple(f.name for f in model._meta.concrete_fields if not f.primary_key)


def _pre_save(instance: Model, *, add: bool) -> None:
    """What save() does to a row before writing it that COPY and bulk_update do not: the auto
    dates, and a file just uploaded (a form's) stored in MEDIA and named in the row."""
    for field in instance._meta.concrete_fields:
        auto = isinstance(field, DateField) and (field.auto_now or (add and field.auto_now_add))
        if auto or isinstance(field, FileField):
            field.pre_save(instance, add)


def _copy_insert(
    model: type[Model], instances: Sequence[Model], user: User | None, reason: str
) -> None:
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    with connection.cursor() as cursor:
        ids = _reserve_ids(cursor, model, len(instances))
        for instance, pk in zip(instances, ids, strict=True):
            instance.pk = pk
            _pre_save(instance, add=True)
            instance._state.adding, instance._state.db = False, connection.alias
        columns = [model._meta.pk, *fields]
        rows = ([_db_value(f, getattr(obj, f.attname)) for f in columns] for obj in instances)
        _copy(cursor, model._meta.db_table, [f.column for f in columns], rows)
        _copy_history(cursor, model, instances, user, reason)


def _reserve_ids(cursor: object, model: type[Model], count: int) -> Sequence[int]:
    """`count` ids taken from the table's sequence (others may take ids at the same time).

    Usually they are consecutive and only the first and last travel; otherwise all of them.
    """
    meta = model._meta
    # The sequence's name first: inside the query it would be looked up once per row.
    cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [meta.db_table, meta.pk.column])
    sequence = cursor.fetchone()[0]
    cursor.execute(
        "WITH reserved AS (SELECT nextval(%s::regclass) AS id FROM generate_series(1, %s))"
        " SELECT min(id), max(id), CASE WHEN max(id) - min(id) + 1 = count(*) THEN NULL"
        " ELSE array_agg(id) END FROM reserved",
        [sequence, count],
    )
    first, last, scattered = cursor.fetchone()
    return scattered if scattered is not None else range(first, last + 1)


def _copy_history(
    cursor: object,
    model: type[Model],
    instances: Sequence[Model],
    user: User | None,
    reason: str,
) -> None:
    history = model.history.model
    if user is None:  # as simple_history (bulk_create_with_history, save()): the request's
        user = history.get_default_history_user(instances[0])
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
    with connection.wrap_database_errors, cursor.cursor.copy(statement) as copy:  # as _copy_text
        for row in rows:
            copy.write_row(row)


def _db_value(field: object, value: object) -> object:
    if value is not None and isinstance(field, GeometryField):
        return value.hexewkb.decode()
    if isinstance(value, FieldFile):  # also in history tables, where the column is text
        return value.name or ""
    return value
