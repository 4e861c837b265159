"""Write a run's results by COPY on PostgreSQL: per-tree rows in the binary format, the
per-plot, per-parcel, per-stratum and vintage rows in the text format (`prepare_rows`); on
SQLite by bulk_create.

Only ever called inside the run's final transaction (see `storage.store_results`).
Per-tree rows are built as numpy structured arrays in PostgreSQL's binary COPY format: a row
has a fixed layout once its three label columns (wood-density level, height source,
equation) are fixed, so rows are grouped by label combination and each group is one
`tobytes()`; no Python object is created per tree.
"""

import struct
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from django.db import connection, models
from psycopg.copy import QueuedLibpqWriter

from quantification.models import TreeResult

BINARY_HEADER = b"PGCOPY\n\xff\r\n\0" + struct.pack(">ii", 0, 0)
BINARY_TRAILER = struct.pack(">h", -1)
TREE_RESULT_COLUMNS = (
    "run_id",
    "tree_measurement_id",
    "plot_id",
    "wood_density",
    "wood_density_level",
    "height_m",
    "height_source",
    "agb_raw_kg",
    "agb_kg",
    "bgb_kg",
    "carbon_kg",
    "co2e_kg",
    "equation",
    "flags",
)
FLOATS = ("wood_density", "height_m", "agb_raw_kg", "agb_kg", "bgb_kg", "carbon_kg", "co2e_kg")
LABELS = ("wood_density_level", "height_source", "equation")
#: Rows per part of the COPY stream (about 11 MB).
CHUNK_ROWS = 65_536


@dataclass(frozen=True)
class Labels:
    """A label column as integer codes into a tuple of strings."""

    codes: np.ndarray
    labels: tuple[str, ...]

    def strings(self) -> np.ndarray:
        return np.asarray(self.labels, dtype=object)[self.codes]


@dataclass(frozen=True)
class TreeRows:
    """Per-tree results, arrays aligned with the loaded trees."""

    tree_measurement_id: np.ndarray
    plot_id: np.ndarray
    wood_density: np.ndarray
    wood_density_level: Labels
    height_m: np.ndarray
    height_source: Labels
    agb_raw_kg: np.ndarray
    agb_kg: np.ndarray
    bgb_kg: np.ndarray
    carbon_kg: np.ndarray
    co2e_kg: np.ndarray
    equation: Labels
    flags: np.ndarray


def copy_binary(raw, table: str, columns: tuple[str, ...], parts: Iterable[memoryview]) -> None:
    """`COPY table (columns) FROM STDIN (FORMAT binary)` of a stream of parts on the psycopg
    cursor `raw`.

    A writer thread sends each part while the next one is being built, so the server's work
    on the rows overlaps with their preparation here.
    """
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT binary)"
    with raw.copy(statement, writer=QueuedLibpqWriter(raw)) as copy:
        for part in parts:
            copy.write(part)


def tree_rows_payload(run_id: int, rows: TreeRows) -> Iterator[memoryview]:
    """The binary COPY stream (header, rows, trailer) of a run's tree results, in parts.

    Rows are grouped by label combination (in the combination's lexicographic order, rows in
    input order within a group) through one stable sort of a combined integer key; each group
    is produced in slices of at most `CHUNK_ROWS` rows.
    """
    columns = [getattr(rows, n) for n in LABELS]
    key = np.zeros(rows.tree_measurement_id.size, dtype=np.int64)
    for column in columns:
        key = key * max(len(column.labels), 1) + column.codes
    order = np.argsort(key, kind="stable")
    starts = np.flatnonzero(np.diff(key[order], prepend=-1))
    yield memoryview(BINARY_HEADER)
    for begin, end in zip(starts.tolist(), [*starts[1:].tolist(), order.size], strict=True):
        first = order[begin]
        labels = {
            n: c.labels[c.codes[first]].encode() for n, c in zip(LABELS, columns, strict=True)
        }
        for chunk in range(begin, end, CHUNK_ROWS):
            yield _group_bytes(run_id, rows, order[chunk : min(chunk + CHUNK_ROWS, end)], labels)
    yield memoryview(BINARY_TRAILER)


def _field_dtype(name: str, labels: dict[str, bytes]) -> list:
    if name in labels:
        # An empty label is a zero-length value: the length word and no bytes.
        return [("len", ">i4")] + ([("v", f"S{len(labels[name])}")] if labels[name] else [])
    kind = ">f8" if name in FLOATS else (">i4" if name == "flags" else ">i8")
    return [("len", ">i4"), ("v", kind)]


def _group_bytes(run_id: int, rows: TreeRows, index: np.ndarray, labels: dict) -> bytes:
    dtype = np.dtype([("n", ">i2")] + [(n, _field_dtype(n, labels)) for n in TREE_RESULT_COLUMNS])
    out = np.zeros(index.size, dtype=dtype)
    out["n"] = len(TREE_RESULT_COLUMNS)
    for name in TREE_RESULT_COLUMNS:
        out[name]["len"] = dtype[name]["v"].itemsize if "v" in dtype[name].names else 0
        if name == "run_id":
            out[name]["v"] = run_id
        elif name in labels:
            if labels[name]:
                out[name]["v"] = labels[name]
        else:
            out[name]["v"] = getattr(rows, name)[index]
    return memoryview(out.view(np.uint8))


@contextmanager
def tree_rows_written(run_id: int, rows: TreeRows | None) -> Iterator[None]:
    """Write a run's tree rows; on PostgreSQL from a thread while the block runs.

    The block must not use the database: the COPY holds the connection until the thread is
    joined, at the block's end (also when the block raises: the COPY is over before the
    transaction can roll back). The thread's error, if any, is raised after the join.
    """
    if rows is None or connection.vendor != "postgresql":
        if rows is not None:
            TreeResult.objects.bulk_create(_tree_objects(run_id, rows), batch_size=2000)
        yield
        return
    errors: list[BaseException] = []
    with connection.cursor() as cursor:
        # The psycopg cursor: Django's wrapper has no copy(), and Django's connection
        # object is per thread, so the thread is handed this one.
        thread = threading.Thread(
            target=_copy_tree_rows, args=(cursor.cursor, run_id, rows, errors), daemon=True
        )
        thread.start()
        try:
            yield
        finally:
            thread.join()
    if errors:
        raise errors[0]


def _copy_tree_rows(raw, run_id: int, rows: TreeRows, errors: list[BaseException]) -> None:
    try:
        payload = tree_rows_payload(run_id, rows)
        copy_binary(raw, TreeResult._meta.db_table, TREE_RESULT_COLUMNS, payload)
    except BaseException as exc:  # noqa: BLE001 - handed over to the joining thread
        errors.append(exc)


def _tree_objects(run_id: int, rows: TreeRows):
    strings = {n: getattr(rows, n).strings() for n in LABELS}
    for i in range(rows.tree_measurement_id.size):
        values = {n: strings[n][i] for n in LABELS}
        values.update({n: _float_or_none(getattr(rows, n)[i]) for n in FLOATS})
        yield TreeResult(
            run_id=run_id,
            tree_measurement_id=int(rows.tree_measurement_id[i]),
            plot_id=int(rows.plot_id[i]),
            flags=int(rows.flags[i]),
            **values,
        )


def _float_or_none(value: float) -> float | None:
    # SQLite has no NaN (it would store NULL anyway); PostgreSQL keeps NaN through COPY.
    return None if np.isnan(value) else float(value)


def prepare_rows(model: type[models.Model], run_id: int, rows: list[dict]) -> Callable[[], None]:
    """A function inserting result rows (dicts keyed by field name or attname) of one run
    into `model`, its COPY text built now.

    PostgreSQL: one text-format COPY, a line per row, with no model instance per row (a run
    has one row per plot visit, tens of thousands); building the text uses no database, so it
    can overlap the tree rows' COPY. SQLite: bulk_create, when called.
    """
    if not rows:
        return lambda: None
    if connection.vendor != "postgresql":
        return lambda: model.objects.bulk_create(
            (model(run_id=run_id, **r) for r in rows), batch_size=2000
        )
    names = list(rows[0])
    fields = [model._meta.get_field(n) for n in names]
    # COPY bypasses the model: fields the rows leave out get their model default here.
    defaults = [
        f
        for f in model._meta.concrete_fields
        if f.has_default() and f not in fields and f.attname != "run_id"
    ]
    prefix = "\t".join([str(run_id), *(_text(f.get_default()) for f in defaults)])
    lines = [prefix + "".join("\t" + _text(r[n]) for n in names) for r in rows]
    columns = ["run_id", *(f.column for f in defaults), *(f.column for f in fields)]
    statement = f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN"
    text = "\n".join(lines) + "\n"
    return lambda: _copy_text(statement, text)


def _copy_text(statement: str, text: str) -> None:
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        copy.write(text)


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value) -> str:
    """A value in COPY's text format: NULL as \\N, strings escaped, numbers as str()."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    return str(value)
