"""The shape every importer shares: a context, per-row checks, a plan of writes, then the write.

An importer turns records (rows of a file, already read by :mod:`parcels.importing.records`)
into a :class:`Plan`: model instances to create, instances to update, and every error found,
each naming its row and field. Planning never writes; :meth:`Importer.write` does, and is only
called by the services inside one transaction when the plan has no errors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, TypeVar

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Model

from parcels.importing.readers.errors import CellError, RowError
from parcels.importing.readers.headers import Aliases
from smallholders.models import Cooperative, Project

_T = TypeVar("_T")

if TYPE_CHECKING:  # columns.py imports this module
    from parcels.importing.columns import Columns

SAMPLE_ROWS = 50
ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class ImportContext:
    """Where the rows go and whose rights apply.

    `cooperative_ids` are the cooperatives of the project the user may write for (the job's
    cooperative alone when one was chosen); rows naming any other cooperative, or referring to
    its smallholders and parcels, are errors. `land_use_before` is the default land use for
    parcel rows that give none ("" for no default).
    """

    project: Project
    cooperative: Cooperative | None
    cooperative_ids: frozenset[int]
    user: User | None
    reason: str
    land_use_before: str = ""


@dataclass(frozen=True)
class Record:
    """One row of data, wherever it came from: values keyed by canonical field names."""

    row: int
    values: dict[str, object]
    sheet: str = ""


class RowCheck:
    """Collects the errors of one record while its cells are parsed and checked."""

    def __init__(self, record: Record) -> None:
        self.record = record
        self.errors: list[RowError] = []

    def parse(self, parser: Callable[..., _T], name: str, **options: object) -> _T | None:
        """`parser(raw value, name, **options)`, or None after recording its CellError."""
        try:
            return parser(self.record.values.get(name), name, **options)
        except CellError as exc:
            self.errors.append(exc.at(self.record.row, self.record.sheet))
            return None

    def run(self, check: Callable[[], _T]) -> _T | None:
        """`check()`, or None after recording its ValidationError field by field."""
        try:
            return check()
        except ValidationError as exc:
            self.errors.extend(validation_errors(exc, self.record))
            return None
        except CellError as exc:
            self.errors.append(exc.at(self.record.row, self.record.sheet))
            return None

    def fail(self, name: str, message: str) -> None:
        self.errors.append(RowError(self.record.row, name, str(message), self.record.sheet))

    @property
    def ok(self) -> bool:
        return not self.errors


def validation_errors(exc: ValidationError, record: Record, default: str = "") -> list[RowError]:
    """A Django ValidationError (dict or list form) as RowErrors located at `record`."""
    if hasattr(exc, "error_dict"):
        pairs = [(name, error) for name, errors in exc.error_dict.items() for error in errors]
    else:
        pairs = [(default, error) for error in exc.error_list]
    return [
        RowError(record.row, "" if name == "__all__" else name, _render(error), record.sheet)
        for name, error in pairs
    ]


def _render(error: ValidationError) -> str:
    message = str(error.message)
    return message % error.params if error.params else message


@dataclass
class Planned:
    """One record's outcome: the instance to write and whether it updates an existing row."""

    row: int
    instance: Model
    update: bool
    label: str


@dataclass
class Plan:
    """Everything an import would do, and every reason it cannot."""

    rows: int = 0
    creates: list[Planned] = field(default_factory=list)
    updates: list[Planned] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def add(self, planned: Planned) -> None:
        (self.updates if planned.update else self.creates).append(planned)

    @property
    def to_create(self) -> int:
        return len(self.creates)

    @property
    def to_update(self) -> int:
        return len(self.updates)

    def sample(self) -> list[dict[str, object]]:
        """The first rows, as plain data for the preview table."""
        planned = sorted(self.creates + self.updates, key=lambda p: p.row)[:SAMPLE_ROWS]
        return [
            {"row": p.row, "action": "update" if p.update else "create", "label": p.label}
            for p in planned
        ]

    def sorted_errors(self) -> list[RowError]:
        return sorted(self.errors, key=lambda e: (e.sheet, e.row, e.field))


class Importer:
    """Base class: subclasses declare their columns and implement `prepare`, `check`, `write`.

    A `columnar` importer instead implements `plan_columns`, which checks a whole
    :class:`parcels.importing.columns.Columns` at once (for files of 100,000 rows).
    """

    kind: ClassVar[str]
    columnar: ClassVar[bool] = False
    #: checks rows against the project's parcel boundaries: a commit holds PARCEL_BOUNDARIES
    checks_boundaries: ClassVar[bool] = False
    aliases: ClassVar[Aliases]
    required: ClassVar[tuple[str, ...]]
    #: columns shown in the downloadable template, with an example value each (Spanish)
    example: ClassVar[dict[str, str]]
    #: the example values that differ in the English template (choice values)
    example_en: ClassVar[dict[str, str]] = {}

    def __init__(self, context: ImportContext) -> None:
        self.context = context

    def plan_columns(self, columns: Columns, progress: ProgressCallback | None = None) -> Plan:
        raise NotImplementedError(f"{type(self).__name__} is not columnar")

    def plan(self, records: Iterable[Record], progress: ProgressCallback | None = None) -> Plan:
        records = list(records)
        plan = Plan(rows=len(records))
        self.prepare(records)
        for number, record in enumerate(records, start=1):
            check = RowCheck(record)
            planned = self.check(record, check)
            plan.errors.extend(check.errors)
            if planned is not None and check.ok:
                plan.add(planned)
            if progress is not None and number % 1000 == 0:
                progress(number, len(records))
        self.finish(plan)
        return plan

    def prepare(self, records: list[Record]) -> None:
        """Load every lookup the rows need, in a few queries (never one per row)."""

    def check(self, record: Record, check: RowCheck) -> Planned | None:
        raise NotImplementedError

    def finish(self, plan: Plan) -> None:
        """Checks across rows (e.g. overlaps between the file's own parcels)."""

    def write(self, plan: Plan) -> None:
        raise NotImplementedError
