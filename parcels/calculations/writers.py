"""Write a run's results: per-tree rows by binary COPY, the small tables by bulk_create.

Only ever called inside the run's final transaction (see `services._store_results`).
Per-tree rows are built as numpy structured arrays in PostgreSQL's binary COPY format: a row
has a fixed layout once its three label columns (wood-density level, height source,
equation) are fixed, so rows are grouped by label combination and each group is one
`tobytes()`; no Python object is created per tree.
"""

import struct
from dataclasses import dataclass

import numpy as np
from django.db import connection

from parcels.models import TreeResult

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


def copy_binary(table: str, columns: tuple[str, ...], payload: bytes) -> None:
    """`COPY table (columns) FROM STDIN (FORMAT binary)` of a prepared payload."""
    with connection.cursor() as cursor:
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT binary)"
        with cursor.cursor.copy(statement) as copy:
            copy.write(payload)


def tree_rows_payload(run_id: int, rows: TreeRows) -> bytes:
    """The complete binary COPY stream (header, rows, trailer) of a run's tree results."""
    combos = np.stack([getattr(rows, n).codes for n in LABELS], axis=1)
    keys, inverse = np.unique(combos, axis=0, return_inverse=True)
    parts = [BINARY_HEADER]
    for group, key in enumerate(keys):
        index = np.flatnonzero(inverse.ravel() == group)
        labels = [getattr(rows, n).labels[k].encode() for n, k in zip(LABELS, key, strict=True)]
        parts.append(_group_bytes(run_id, rows, index, dict(zip(LABELS, labels, strict=True))))
    parts.append(BINARY_TRAILER)
    return b"".join(parts)


def _field_dtype(name: str, labels: dict[str, bytes]) -> list:
    if name in labels:
        # An empty label is a zero-length value: the length word and no bytes.
        return [("len", ">i4")] + ([("v", f"S{len(labels[name])}")] if labels[name] else [])
    kind = ">f8" if name in FLOATS else (">i4" if name == "flags" else ">i8")
    return [("len", ">i4"), ("v", kind)]


def _group_bytes(run_id: int, rows: TreeRows, index: np.ndarray, labels: dict) -> bytes:
    dtype = np.dtype(
        [("n", ">i2")] + [(n, _field_dtype(n, labels)) for n in TREE_RESULT_COLUMNS]
    )
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
    return out.tobytes()


def write_tree_rows(run_id: int, rows: TreeRows) -> None:
    if connection.vendor == "postgresql":
        copy_binary(TreeResult._meta.db_table, TREE_RESULT_COLUMNS, tree_rows_payload(run_id, rows))
        return
    TreeResult.objects.bulk_create(_tree_objects(run_id, rows), batch_size=2000)


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
