"""The admin's date drill-down ("date_hierarchy") in a few index probes, however many rows.

Django finds the first and last dates with `MIN`/`MAX` and the years (months, days) that have
rows with `SELECT DISTINCT date_trunc(...)`: both read every row of the list once a scope joins
other tables. `ProbedDates` stands in for the list's queryset in Django's own date hierarchy:
the first and last dates are each one row read in the date's index order, and the periods
between them that have rows are found with one `EXISTS` probe per period (at most a few dozen:
years of the project, months of a year, days of a month), all in one query.
"""

import datetime as dt
from functools import cached_property
from typing import Any

from django.contrib.admin.views.main import ChangeList
from django.db.models import Exists, QuerySet, Subquery
from django.utils import timezone

#: more periods than this between the first and last date: Django's own query
MAX_PROBES = 120


class ProbedDates:
    """The two calls Django's `date_hierarchy` makes on `cl.queryset`, answered by probes."""

    def __init__(self, queryset: QuerySet, field: str) -> None:
        self.queryset = queryset
        self.field = field

    def aggregate(self, **bounds: object) -> dict[str, object]:
        """Django asks `first=Min(field), last=Max(field)`: the two ends of the dates."""
        return dict(zip(bounds, self._ends, strict=False))

    def dates(self, field: str, kind: str, order: str = "ASC") -> list[dt.date]:
        return self._periods(field, kind, aware=False)

    def datetimes(self, field: str, kind: str, order: str = "ASC") -> list[dt.datetime]:
        return self._periods(field, kind, aware=True)

    @cached_property
    def _ends(self) -> tuple[Any, Any]:  # dates or aware datetimes, as the field holds
        dated = self.queryset.filter(**{f"{self.field}__isnull": False}).values(self.field)
        row = (
            self.queryset.model._default_manager.annotate(
                first=Subquery(dated.order_by(self.field)[:1]),
                last=Subquery(dated.order_by(f"-{self.field}")[:1]),
            )
            .order_by()
            .values("first", "last")[:1]
        )
        return (row[0]["first"], row[0]["last"]) if row else (None, None)

    def _periods(self, field: str, kind: str, *, aware: bool) -> list:
        first, last = self._ends
        if first is None or last is None:
            return []
        if aware:
            first, last = timezone.localtime(first), timezone.localtime(last)
        starts = _starts(first, last, kind)
        if len(starts) > MAX_PROBES:
            method = self.queryset.datetimes if aware else self.queryset.dates
            return list(method(field, kind))  # type: ignore[arg-type]  # Django's kind names
        bounds = [*starts[1:], _next(starts[-1], kind)]
        if aware:
            starts = [_midnight(start) for start in starts]
            bounds = [_midnight(bound) for bound in bounds]
        probes = {
            f"p{i}": Exists(self.queryset.filter(**{f"{field}__gte": s, f"{field}__lt": e}))
            for i, (s, e) in enumerate(zip(starts, bounds, strict=True))
        }
        rows = self.queryset.model._default_manager.annotate(**probes)
        row = rows.order_by().values(*probes)[:1]  # any one row: the probes are its columns
        return [start for i, start in enumerate(starts) if row and row[0][f"p{i}"]]


def _midnight(day: dt.date) -> dt.datetime:
    """The day's start in the current time zone (where Django's drill-down truncates)."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=timezone.get_current_timezone())


def _starts(first: dt.date, last: dt.date, kind: str) -> list[dt.date]:
    """The first day of every `kind` period from the one of `first` to the one of `last`."""
    start = _truncate(first, kind)
    starts: list[dt.date] = []
    while start <= _truncate(last, kind) and len(starts) <= MAX_PROBES:
        starts.append(start)
        start = _next(start, kind)
    return starts


def _truncate(day: dt.date, kind: str) -> dt.date:
    if kind == "year":
        return dt.date(day.year, 1, 1)
    if kind == "month":
        return dt.date(day.year, day.month, 1)
    return dt.date(day.year, day.month, day.day)


def _next(start: dt.date, kind: str) -> dt.date:
    if kind == "year":
        return dt.date(start.year + 1, 1, 1)
    if kind == "month":
        return dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start + dt.timedelta(days=1)


class ProbedDatesList:
    """A changelist as Django's `date_hierarchy` tag reads it, with `ProbedDates` as queryset."""

    def __init__(self, changelist: ChangeList) -> None:
        self._changelist = changelist
        self.queryset = ProbedDates(changelist.queryset, changelist.date_hierarchy)

    def __getattr__(self, name: str) -> object:
        return getattr(self._changelist, name)
