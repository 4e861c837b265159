"""Shared pieces of the ex-post and ex-ante computations: Decimal rounding of stored figures,
warnings as stored JSON, the per-year split of a period (vintages).

Stored tonnes have 3 decimals and densities 4 (the model fields); floats are converted through
their shortest repr, so the same float always gives the same Decimal.
"""

from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np

from quantification.allocation import largest_remainder, split_signed
from quantification.engine.notices import Notice

TONNE = Decimal("0.001")
PER_HA = Decimal("0.0001")


def decimal(value: float | Decimal, quantum: Decimal = TONNE) -> Decimal:
    """A float or Decimal rounded half-even to `quantum` (tonnes by default)."""
    exact = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    return exact.quantize(quantum, rounding=ROUND_HALF_EVEN)


def per_ha(value: float) -> Decimal:
    return decimal(value, PER_HA)


def percent(fraction: float | Decimal | None) -> Decimal | None:
    """A fraction as a percentage with 4 decimals; None when undefined (no mean)."""
    if fraction is None or not np.isfinite(float(fraction)):
        return None
    return decimal(Decimal(repr(float(fraction))) * 100, PER_HA)


def notice_dict(notice: Notice) -> dict:
    """A pure-engine notice as stored on the run: the English template and its parameters
    (translated when shown, see `translate_warning`) and the English message."""
    return {
        "code": notice.code,
        "template": notice.template,
        "params": _plain(dict(notice.params)),
        "message": notice.message,
    }


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def translate_warning(warning: dict) -> str:
    """A stored warning in the active language (falls back to the stored English message)."""
    from django.utils.translation import gettext

    template = warning.get("template")
    if not template:
        return str(warning.get("message", ""))
    try:
        return gettext(template) % warning.get("params", {})
    except (KeyError, TypeError, ValueError):
        return str(warning.get("message", ""))


def days_per_year(start: date, end: date) -> dict[int, int]:
    """Days of [start, end] (both included) in each calendar year."""
    days = {}
    for year in range(start.year, end.year + 1):
        first = max(start, date(year, 1, 1))
        last = min(end, date(year, 12, 31))
        days[year] = (last - first).days + 1
    return days


def split_vintages(
    *, start: date, end: date, net: Decimal, buffer: int, issuable: int
) -> list[dict]:
    """The period's net, buffer and issuable split across its calendar years pro rata to the
    days of the period in each year; each column sums exactly to its total (largest remainder).
    """
    days = days_per_year(start, end)
    weights = np.array(list(days.values()), dtype=np.float64)
    nets = split_signed(net, weights)
    buffers = largest_remainder(buffer, weights).tolist()
    issuables = largest_remainder(issuable, weights).tolist()
    return [
        {"year": y, "net_tco2e": n, "buffer_tco2e": b, "issuable_tco2e": i}
        for y, n, b, i in zip(days, nets, buffers, issuables, strict=True)
    ]
