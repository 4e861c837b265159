"""The whole project's rollup row: the sum of its cooperatives' rows, kept beside them so that
a person who sees the whole project reads one row, whatever the number of cooperatives.

Numbers add; the JSON lists add entry by entry under their key (species and year, year, date,
month, currency and month); decimals travel as exact strings, as in the cooperatives' rows.
"""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from backoffice.models import CooperativeRollup

NUMBERS = (
    "families",
    "parcels",
    "parcels_validated",
    "parcels_pending",
    "hectares_validated",
    "trees_planted",
    "trees_counted",
    "trees_alive",
    "low_survival_plantings",
    "paid_pen",
    "held_pen",
    "lines_to_pay",
    "lines_held",
    "verified_tco2e",
)
# JSON list field -> how many leading items of an entry are its key
LISTS = {"survival": 2, "coverage": 1, "last_monitored": 1, "paid_by_month": 1, "revenue": 2}


def project_total(*, project_id: int, rows: list[CooperativeRollup]) -> CooperativeRollup:
    """The unsaved row of the whole project (cooperative null) summing `rows`."""
    total = CooperativeRollup(project_id=project_id, cooperative_id=None)
    for name in NUMBERS:
        setattr(total, name, sum((getattr(row, name) for row in rows), getattr(total, name)))
    for name, keys in LISTS.items():
        setattr(total, name, _merged((getattr(row, name) for row in rows), keys))
    ante = [row.ex_ante_tco2e for row in rows if row.ex_ante_tco2e is not None]
    total.ex_ante_tco2e = sum(ante, Decimal(0)) if ante else None
    credits = _merged(([[k, *v] for k, v in row.credits.items()] for row in rows), 1)
    total.credits = {unit_type: values for unit_type, *values in credits}
    return total


def _merged(lists: Iterable[list[list[Any]]], keys: int) -> list[list[Any]]:
    sums: dict[tuple[Any, ...], list[Any]] = {}
    for entries in lists:
        for entry in entries:
            key, values = tuple(entry[:keys]), [_number(v) for v in entry[keys:]]
            known = sums.get(key)
            if known is not None:
                values = [a + b for a, b in zip(known, values, strict=True)]
            sums[key] = values
    ordered = sorted(sums.items(), key=lambda item: [(k is not None, k) for k in item[0]])
    return [[*key, *(_json(v) for v in values)] for key, values in ordered]


def _json(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def _number(value: Any) -> Any:
    return Decimal(value) if isinstance(value, str) else value
