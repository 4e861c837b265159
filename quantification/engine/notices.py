"""Warnings and errors of the carbon engine, as data.

The engine is locale-neutral: every message is an English template with named placeholders,
marked with ``gettext_noop`` so ``makemessages`` collects it, plus a stable machine ``code``.
The presentation layer (management commands, views, reports) translates with
``gettext(notice.template) % notice.params``. This keeps the engine free of Django settings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any


def gettext_noop(message: str) -> str:
    """Mark a message for translation without translating it (same contract as Django's)."""
    return message


@dataclass(frozen=True)
class Notice:
    """One warning or error: a stable ``code``, an English ``template`` and its ``params``."""

    code: str
    template: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    @property
    def message(self) -> str:
        return self.render()

    def render(self, translate: Callable[[str], str] = gettext_noop) -> str:
        """The message, with templates passed through ``translate`` (e.g. Django gettext)."""
        return translate(self.template) % dict(self.params)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "params": dict(self.params)}

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class RowError(Notice):
    """A problem with one input row: ``line`` is the 1-based line of the source file (or the
    0-based row index when the rows did not come from a file), ``field`` the column."""

    line: int = 0
    column: str = ""

    def render(self, translate: Callable[[str], str] = gettext_noop) -> str:
        where = translate(gettext_noop("line %(line)d, %(column)s: ")) % {
            "line": self.line,
            "column": self.column or "-",
        }
        return where + super().render(translate)

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "line": self.line, "column": self.column}


class CarbonError(Exception):
    """Base class of the engine's exceptions."""


class ParameterError(CarbonError, ValueError):
    """A carbon parameter has a bad value; ``field`` names it."""

    def __init__(self, field_name: str, reason: str) -> None:
        self.field = field_name
        self.reason = reason
        self.notice = Notice(
            "parameters.invalid",
            gettext_noop("parameter %(field)s: %(reason)s"),
            {"field": field_name, "reason": reason},
        )
        super().__init__(self.notice.message)


class CarbonInputError(CarbonError, ValueError):
    """Input data the engine cannot compute; ``errors`` lists every problem found (never only
    the first), each naming the row and the field."""

    def __init__(self, errors: Sequence[Notice]) -> None:
        self.errors = tuple(errors)
        shown = "; ".join(e.message for e in self.errors[:20])
        more = len(self.errors) - 20
        super().__init__(shown + (f"; and {more} more" if more > 0 else ""))
