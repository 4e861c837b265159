"""Validating many rows at once: the error that names every refused row, and its helpers.

The bulk services (``register_smallholders``, ``record_plantings``, …) are the one door of each
concept: they check every row and refuse the whole batch, writing nothing, when any row fails:
:class:`RowsInvalid` then holds each bad row's own ValidationError under its number (1 for the
first row given). The single-row services call them with one row, inside :func:`one_row`, so a
form or the API gets that row's errors by field, as from a single-row check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

_T = TypeVar("_T")


class RowsInvalid(ValidationError):
    """Rows refused by a bulk service; `by_row` maps a row number (from 1) to its errors."""

    def __init__(self, by_row: dict[int, ValidationError]) -> None:
        self.by_row = dict(sorted(by_row.items()))
        super().__init__(
            [
                ValidationError(
                    _("Row %(row)s: %(message)s"),
                    code="row",
                    params={"row": row, "message": message},
                )
                for row, error in self.by_row.items()
                for message in error.messages
            ]
        )


@contextmanager
def one_row() -> Iterator[None]:
    """Around a bulk service given one row: its RowsInvalid is re-raised as that row's own
    ValidationError (by field), the error a form shows on its fields and the API as a 400."""
    try:
        yield
    except RowsInvalid as exc:
        raise exc.by_row[1] from None


def collect_errors(*checks: Callable[[], object]) -> None:
    """Run every check (zero-argument callables) and raise one ValidationError with all fields.

    A check raising a ValidationError without fields has its messages filed under ``__all__``.
    """
    errors: dict[str, list[ValidationError]] = {}
    for check in checks:
        try:
            check()
        except ValidationError as exc:
            for name, messages in exc.update_error_dict({}).items():
                errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def row_errors(rows: Sequence[_T], validate: Callable[[_T], object]) -> dict[int, ValidationError]:
    """`validate(row)` for every row: the errors by row number (from 1), none if all pass.

    A model row first takes the ids of the rows its foreign keys point at that were saved since
    they were assigned (as save() would), so checks by id see them.
    """
    found: dict[int, ValidationError] = {}
    for number, row in enumerate(rows, 1):
        _take_related_ids(row)
        try:
            validate(row)
        except ValidationError as exc:
            found[number] = exc
    return found


def _take_related_ids(row: object) -> None:
    if isinstance(row, Model):
        # Django's own step of save()/bulk_create() (private, so not in django-stubs).
        row._prepare_related_fields_for_save(operation_name="bulk_create")  # type: ignore[attr-defined]


def add_error(found: dict[int, ValidationError], number: int, error: ValidationError) -> None:
    """File `error` (a ValidationError with fields) under row `number`, beside its others."""
    earlier = found.get(number)
    if earlier is None:
        found[number] = error
        return
    merged = earlier.update_error_dict({})
    for name, messages in error.update_error_dict({}).items():
        merged.setdefault(name, []).extend(messages)
    found[number] = ValidationError(merged)


def raise_for_rows(found: dict[int, ValidationError]) -> None:
    if found:
        raise RowsInvalid(found)


def repeated(keys: Iterable[object]) -> dict[int, int]:
    """Rows (from 1) whose key an earlier row already has, mapped to that earlier row."""
    keys = list(keys)
    if len(set(keys)) == len(keys):  # the usual case, at C speed
        return {}
    first: dict[object, int] = {}
    later: dict[int, int] = {}
    for number, key in enumerate(keys, 1):
        earlier = first.setdefault(key, number)
        if earlier != number:
            later[number] = earlier
    return later


def constraint_error(model: type[Model], suffix: str) -> ValidationError:
    """The error full_clean() gives for `model`'s constraint named ``…<suffix>``: its own
    message, filed under no field (as Django files a constraint on several fields)."""
    (constraint,) = (c for c in model._meta.constraints if c.name.endswith(suffix))
    message = constraint.get_violation_error_message()
    return ValidationError({NON_FIELD_ERRORS: ValidationError(message, code="unique")})
