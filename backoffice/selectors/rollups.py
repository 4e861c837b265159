"""The field and money figures of a panel view, read from the rollups (a few rows per project)
instead of the plantings, survival counts, plots, lines and payments behind them. Scoped like
the field data: a person's figures are the sum of the rows of the cooperatives they may see.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from backoffice.models import CooperativeRollup, ProjectRollup
from backoffice.rollup_totals import NUMBERS
from backoffice.selectors.access import PanelView, sees_whole_project
from backoffice.services import refresh_panel_rollups, survival_threshold
from smallholders.selectors import AnyUser, cooperatives_for, scope_for


@dataclass
class Figures:
    families: int = 0
    parcels: int = 0
    parcels_validated: int = 0
    parcels_pending: int = 0
    hectares_validated: Decimal = Decimal(0)
    trees_planted: int = 0
    trees_counted: int = 0
    trees_alive: int = 0
    low_survival_plantings: int = 0
    paid_pen: Decimal = Decimal("0.00")
    held_pen: Decimal = Decimal("0.00")
    lines_to_pay: int = 0
    lines_held: int = 0
    # first day of a month -> soles paid to families that month
    paid_by_month: dict[date, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    # (species id, planting year) -> [trees planted, alive at the last count]
    survival: dict[tuple[int, int], list[int]] = field(default_factory=lambda: defaultdict(_pair))
    # year -> [plots measured, parcels visited]
    coverage: dict[int, list[int]] = field(default_factory=lambda: defaultdict(_pair))
    # date of the last plot measured (None: never) -> validated parcels
    last_monitored: dict[date | None, int] = field(default_factory=lambda: defaultdict(int))
    # Net tCO2e of the parcels in the latest approved ex-ante run (None: not in one) and in the
    # approved ex-post runs; units issued from them: unit type -> [units, buffer units].
    ex_ante_tco2e: Decimal | None = None
    verified_tco2e: Decimal = Decimal(0)
    credits: dict[str, list[int]] = field(default_factory=lambda: defaultdict(_pair))
    # (currency, first day of a month) -> the families' part of the sales distributed
    revenue: dict[tuple[str, date], Decimal] = field(default_factory=lambda: defaultdict(Decimal))

    def unmonitored_since(self, since: date) -> int:
        """Validated parcels with no plot measured on or after `since`."""
        return sum(n for day, n in self.last_monitored.items() if day is None or day < since)


def _pair() -> list[int]:
    return [0, 0]


def ensure_rollups(view: PanelView) -> None:
    """Compute the project's rollups now if there are none yet (a database loaded before they
    existed) or they were made under another survival threshold; events keep them fresh."""
    stamp = ProjectRollup.objects.filter(project=view.project).first()
    if stamp is None or stamp.survival_threshold != survival_threshold():
        refresh_panel_rollups(project_id=view.project.pk)


def field_rollup(*, user: AnyUser, view: PanelView) -> Figures:
    """The view's figures, read once per page (each part of the page asks for them)."""
    key = ("rollup", getattr(user, "pk", None))
    if key not in view.memo:
        view.memo[key] = _read_rollup(user=user, view=view)
    figures: Figures = view.memo[key]
    return figures


def _read_rollup(*, user: AnyUser, view: PanelView) -> Figures:
    ensure_rollups(view)
    rows = CooperativeRollup.objects.filter(project=view.project)
    if sees_whole_project(user=user, view=view):
        rows = rows.filter(cooperative=None)  # the project's own row: their sum
    else:
        rows = rows.filter(cooperative__isnull=False)
        if not scope_for(user).reads_everything:
            rows = rows.filter(cooperative__in=cooperatives_for(user=user))
        if view.cooperative_id:
            rows = rows.filter(cooperative_id=view.cooperative_id)
    figures = Figures()
    for row in rows:
        for name in NUMBERS:
            setattr(figures, name, getattr(figures, name) + getattr(row, name))
        for species_id, year, planted, alive in row.survival:
            _add(figures.survival[(species_id, year)], planted, alive)
        for year, plots, parcels in row.coverage:
            _add(figures.coverage[year], plots, parcels)
        for day, parcels in row.last_monitored:
            figures.last_monitored[date.fromisoformat(day) if day else None] += parcels
        for month, paid in row.paid_by_month:
            figures.paid_by_month[date.fromisoformat(month)] += Decimal(paid)
        _add_carbon(figures, row)
    return figures


def _add_carbon(figures: Figures, row: CooperativeRollup) -> None:
    if row.ex_ante_tco2e is not None:
        figures.ex_ante_tco2e = (figures.ex_ante_tco2e or Decimal(0)) + row.ex_ante_tco2e
    for unit_type, (units, buffer) in row.credits.items():
        _add(figures.credits[unit_type], units, buffer)
    for currency, month, amount in row.revenue:
        figures.revenue[(currency, date.fromisoformat(month))] += Decimal(amount)


def _add(pair: list[int], first: int, second: int) -> None:
    pair[0] += first
    pair[1] += second
