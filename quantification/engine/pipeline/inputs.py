"""The engine's input rows: text columns as :class:`Categorical` codes, the :class:`TreeTable`
of stems and the row checks made before anything is computed (:func:`validate_trees`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, overload

import numpy as np

from ..notices import CarbonInputError, Notice, RowError, gettext_noop

STATUS_ALIVE = "alive"
STATUS_DEAD = "dead"
STATUS_CUT = "cut"
STATUS_MISSING = "missing"
STATUSES = (STATUS_ALIVE, STATUS_DEAD, STATUS_CUT, STATUS_MISSING)
#: Field-form and Spanish spellings accepted for the status column.
STATUS_ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "": STATUS_ALIVE,
        "alive": STATUS_ALIVE,
        "vivo": STATUS_ALIVE,
        "dead": STATUS_DEAD,
        "dead_standing": STATUS_DEAD,
        "dead_fallen": STATUS_DEAD,
        "muerto": STATUS_DEAD,
        "cut": STATUS_CUT,
        "talado": STATUS_CUT,
        "missing": STATUS_MISSING,
        "not_found": STATUS_MISSING,
        "ausente": STATUS_MISSING,
    }
)


@dataclass(frozen=True)
class Categorical:
    """A text column as integer ``codes`` into ``labels`` (first-appearance order)."""

    codes: np.ndarray
    labels: tuple[str, ...]

    @classmethod
    def from_values(cls, values: Sequence[str] | np.ndarray) -> Categorical:
        # dict.fromkeys and map(dict.__getitem__) run in C: ~0.1 s per million values.
        labels = tuple(dict.fromkeys(values))
        index = {label: code for code, label in enumerate(labels)}
        codes = np.fromiter(map(index.__getitem__, values), dtype=np.int32, count=len(values))
        return cls(codes, labels)

    @classmethod
    def constant(cls, label: str, n: int) -> Categorical:
        return cls(np.zeros(n, dtype=np.int32), (label,))

    def __len__(self) -> int:
        return int(self.codes.shape[0])

    def values(self) -> np.ndarray:
        """Decoded labels per row (object array)."""
        labels: np.ndarray = np.asarray(self.labels, dtype=object)[self.codes]
        return labels


#: A column given to from_columns: a list, tuple or numpy array, one value per row.
Column = Sequence[Any] | np.ndarray


def _floats(values: Column | None, n: int) -> np.ndarray:
    if values is None:
        return np.full(n, np.nan)
    return np.asarray(values, dtype=np.float64)


@overload
def _categorical(values: None) -> None: ...
@overload
def _categorical(values: Categorical | Iterable[object]) -> Categorical: ...
def _categorical(values: Categorical | Iterable[object] | None) -> Categorical | None:
    if values is None or isinstance(values, Categorical):
        return values
    return Categorical.from_values([str(v) for v in values])


@dataclass(frozen=True)
class TreeTable:
    """Input rows (stems). ``height_m``/``wood_density``/``previous_dbh_cm`` use NaN for "not
    measured"; ``status`` labels are alive/dead/cut/missing (or :data:`STATUS_ALIASES`)."""

    tree_id: np.ndarray
    species: Categorical
    dbh_cm: np.ndarray
    height_m: np.ndarray
    family: Categorical | None = None
    plot: Categorical | None = None
    wood_density: np.ndarray | None = None
    status: Categorical | None = None
    stem_of: Categorical | None = None
    previous_dbh_cm: np.ndarray | None = None

    @classmethod
    def from_columns(
        cls,
        *,
        tree_id: Column,
        species: Categorical | Column,
        dbh_cm: Column,
        height_m: Column | None = None,
        family: Categorical | Column | None = None,
        plot_id: Categorical | Column | None = None,
        wood_density: Column | None = None,
        status: Categorical | Column | None = None,
        stem_of: Categorical | Column | None = None,
        previous_dbh_cm: Column | None = None,
    ) -> TreeTable:
        """Build from sequences; text columns are factorised, missing numbers are NaN."""
        n = len(dbh_cm)
        return cls(
            tree_id=np.asarray(tree_id),
            species=_categorical(species),
            dbh_cm=_floats(dbh_cm, n),
            height_m=_floats(height_m, n),
            family=_categorical(family),
            plot=_categorical(plot_id),
            wood_density=None if wood_density is None else _floats(wood_density, n),
            status=_categorical(status),
            stem_of=_categorical(stem_of),
            previous_dbh_cm=None if previous_dbh_cm is None else _floats(previous_dbh_cm, n),
        )

    def __len__(self) -> int:
        return int(self.dbh_cm.shape[0])

    def __post_init__(self) -> None:
        n = len(self)
        columns: list[np.ndarray | Categorical | None] = [
            self.tree_id,
            self.species,
            self.height_m,
            self.family,
            self.plot,
            self.wood_density,
            self.status,
            self.stem_of,
            self.previous_dbh_cm,
        ]
        if any(c is not None and len(c) != n for c in columns):
            raise ValueError("every TreeTable column must have one value per row")


def raise_if_errors(errors: Sequence[Notice]) -> None:
    """Raise one :class:`CarbonInputError` listing ``errors``, if there are any."""
    if errors:
        raise CarbonInputError(errors)


def validate_trees(trees: TreeTable, *, line_offset: int = 0) -> list[RowError]:
    """Row errors of the input values (numbers already parsed): D must be > 0 on live trees,
    heights and given wood densities > 0 when present, statuses known."""
    errors: list[RowError] = []
    alive = status_codes(trees) == STATUSES.index(STATUS_ALIVE)
    with np.errstate(invalid="ignore"):
        checks = [
            ("dbh_cm", alive & ~(trees.dbh_cm > 0), "diameter must be a number > 0 on a live tree"),
            (
                "dbh_cm",
                ~np.isnan(trees.dbh_cm) & ~np.isfinite(trees.dbh_cm),
                "diameter must be finite",
            ),
            (
                "height_m",
                ~np.isnan(trees.height_m) & ~(np.isfinite(trees.height_m) & (trees.height_m > 0)),
                "height must be a number > 0 or empty",
            ),
        ]
        if trees.wood_density is not None:
            wd = trees.wood_density
            checks.append(
                (
                    "wood_density",
                    ~np.isnan(wd) & ~(np.isfinite(wd) & (wd > 0)),
                    "wood density must be a number > 0 or empty",
                )
            )
    for column, bad, reason in checks:
        errors.extend(_row_errors(np.flatnonzero(bad), column, reason, line_offset))
    errors.extend(_status_errors(trees, line_offset))
    return sorted(errors, key=lambda e: (e.line, e.column))


def _row_errors(rows: np.ndarray, column: str, reason: str, offset: int) -> list[RowError]:
    return [
        RowError("input.invalid", gettext_noop(reason), {}, int(r) + offset, column) for r in rows
    ]


def status_codes(trees: TreeTable) -> np.ndarray:
    """Status per row as an index into :data:`STATUSES`, −1 for an unknown label."""
    if trees.status is None:
        return np.zeros(len(trees), dtype=np.int8)
    mapped = [STATUS_ALIASES.get(label.strip().lower()) for label in trees.status.labels]
    per_label = np.array([STATUSES.index(m) if m else -1 for m in mapped], dtype=np.int8)
    codes: np.ndarray = per_label[trees.status.codes]
    return codes


def _status_errors(trees: TreeTable, offset: int) -> list[RowError]:
    if trees.status is None:  # every row alive: status_codes gives no unknown label
        return []
    status = trees.status
    rows = np.flatnonzero(status_codes(trees) < 0)
    return [
        RowError(
            "input.status",
            gettext_noop("unknown status %(status)r"),
            {"status": str(status.values()[r])},
            int(r) + offset,
            "status",
        )
        for r in rows
    ]
