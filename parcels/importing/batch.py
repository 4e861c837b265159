"""Checking a whole column at once under the per-row rules, for importers of large files.

A column of 100,000 cells usually holds a few hundred distinct values (plots, species, dates,
diameters to the millimetre), so :meth:`Batch.memo` runs the very same per-cell parsers and
validators (through :class:`parcels.importing.base.RowCheck`) once per distinct value and maps
the result back onto every row, replaying the errors on each row that repeats the value. The
rules therefore stay those of :mod:`parcels.importing.readers.cells` and :mod:`parcels.validation`;
only the number of calls changes.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from parcels.importing.base import Plan, Record, RowCheck
from parcels.importing.columns import Columns
from parcels.importing.readers.errors import RowError

Compute = Callable[[RowCheck], object]
RowCompute = Callable[[RowCheck, int], object]


class Batch:
    """The errors of a file checked column by column, kept in row order and check order."""

    def __init__(self, columns: Columns) -> None:
        self.columns = columns
        self.errors: dict[int, list[RowError]] = {}

    def keys(self, *names: str) -> list[Hashable]:
        """One memo key per row from these columns (typed for XLSX, where 1 == 1.0 == True)."""
        cells = [self.columns.column(name) for name in names]
        if not self.columns.text_only:
            cells = [[(type(value), value) for value in column] for column in cells]
        return list(cells[0]) if len(cells) == 1 else list(zip(*cells, strict=True))

    def memo(self, name: str, compute: Compute) -> list[object]:
        """`compute` on a row holding only this column's cell, once per distinct cell."""
        if name not in self.columns.values:  # every cell is None
            nones = [None] * len(self.columns)
            return self._spread(nones, {None: self._outcome(compute, Record(0, {name: None}))})
        column = self.columns.column(name)
        # Typed keys are (type tag, cell) pairs.
        keys: Sequence[Any] = column if self.columns.text_only else self.keys(name)
        typed = not self.columns.text_only
        outcomes: dict[Hashable, tuple[object, list[tuple[str, str]]]] = {}
        for key in dict.fromkeys(keys):  # distinct, in order of first appearance
            cell = key[1] if typed else key
            outcomes[key] = self._outcome(compute, Record(0, {name: cell}))
        return self._spread(keys, outcomes)

    def memo_rows(
        self, keys: Sequence[Hashable], compute: Compute, record: Callable[[int], Record]
    ) -> list[object]:
        """`compute` once per distinct key, on `record(i)` for the key's first row `i`."""
        last = len(keys) - 1
        first = dict(zip(reversed(keys), range(last, -1, -1), strict=True))
        ordered = sorted(first.items(), key=itemgetter(1))
        outcomes = {key: self._outcome(compute, record(index)) for key, index in ordered}
        return self._spread(keys, outcomes)

    @staticmethod
    def _outcome(compute: Compute, record: Record) -> tuple[object, list[tuple[str, str]]]:
        probe = RowCheck(record)
        value = compute(probe)
        return value, [(error.field, error.message) for error in probe.errors]

    def _spread(self, keys: Sequence[Hashable], outcomes: dict) -> list[object]:
        """Each row's value, and the errors of its key recorded on the row."""
        failures = {key: errors for key, (_value, errors) in outcomes.items() if errors}
        if failures:
            for index, key in enumerate(keys):
                for name, message in failures.get(key, ()):
                    self.fail(index, name, message)
        values = {key: value for key, (value, _errors) in outcomes.items()}
        return list(map(values.__getitem__, keys))

    def fail(self, index: int, name: str, message: str) -> None:
        row, sheet = self.columns.rows[index], self.columns.sheets[index]
        self.errors.setdefault(index, []).append(RowError(row, name, str(message), sheet))

    def check_rows(self, indexes: Iterable[int], compute: RowCompute) -> None:
        """`compute(check, index)` on each of these (few) rows whole, recording its errors."""
        for index in indexes:
            probe = RowCheck(self.columns.record(index))
            compute(probe, index)
            if probe.errors:
                self.errors.setdefault(index, []).extend(probe.errors)

    def ok_indexes(self) -> Sequence[int]:
        errors = self.errors
        if not errors:  # the usual case: a range, not a list of 100,000 int objects
            return range(len(self.columns))
        return [index for index in range(len(self.columns)) if index not in errors]

    def all_errors(self) -> list[RowError]:
        return [error for index in sorted(self.errors) for error in self.errors[index]]


@dataclass
class BatchPlan(Plan):
    """A plan that counts its rows instead of holding a model instance for each."""

    created: int = 0
    updated: int = 0
    preview: list[dict[str, object]] = field(default_factory=list)

    @property
    def to_create(self) -> int:
        return self.created

    @property
    def to_update(self) -> int:
        return self.updated

    def sample(self) -> list[dict[str, object]]:
        return self.preview
