"""The dashboard's charts as tables: each chart is drawn from the same rows that its table view
shows and its CSV/XLSX download contains, so the three can never disagree.

Figures are tonnes (Decimal) and counts; PER and VER units stay in separate columns.
"""

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from backoffice.selectors.access import PanelView
from backoffice.selectors.dashboard import revenue_by_month
from backoffice.selectors.rollups import field_rollup
from credits.selectors import availability
from parcels.models import Species
from quantification.models import RunKind, RunStatus
from quantification.selectors import run_vintages, runs_for
from smallholders.selectors import AnyUser


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    kind: str  # "line" or "bar", for the drawing script
    columns: list[str]
    rows: Sequence[Sequence[object]]
    # How to draw the rows: the first `label_columns` name each point, `series` (column
    # indexes) are the lines or bars.
    label_columns: int = 1
    series: tuple[int, ...] = (1,)

    @property
    def drawing(self) -> dict[str, object]:
        return {"kind": self.kind, "labels": self.label_columns, "series": list(self.series)}


def carbon_over_time(*, user: AnyUser, view: PanelView) -> Chart:
    """Cumulative tCO2e by year: the latest approved ex-ante projection against the removals
    verified by the approved ex-post runs (each counted at the end of its period)."""
    runs = runs_for(user=user).filter(project=view.project, status=RunStatus.APPROVED)
    ex_ante = runs.filter(kind=RunKind.EX_ANTE).order_by("-period_end", "-pk").values("pk")[:1]
    projected: dict[int, Decimal] = {}
    total = Decimal(0)
    for year, net in run_vintages(run_ids=ex_ante).values_list("year", "net_tco2e"):
        total += net
        projected[year] = total
    verified: dict[int, Decimal] = {}
    total = Decimal(0)
    for end, change in (
        runs.filter(kind=RunKind.EX_POST)
        .order_by("period_end")
        .values_list("period_end", "net_tco2e")
    ):
        total += change or 0
        verified[end.year] = total
    years = sorted(set(projected) | set(verified))
    rows = [[year, projected.get(year), verified.get(year)] for year in years]
    columns = [str(_("Year")), str(_("Ex ante, projected (tCO2e)")), str(_("Verified (tCO2e)"))]
    title = str(_("Cumulative tCO2e over time"))
    return Chart("carbon", title, "line", columns, rows, series=(1, 2))


def credits_by_vintage(*, user: AnyUser, view: PanelView) -> Chart:
    states = ("issued", "buffer", "available", "reserved", "held", "retired")
    rows = [
        [row.vintage, row.unit_type, *(getattr(row, state) for state in states)]
        for row in availability(project_id=view.project.pk)
        .select_related(None)
        .only("vintage", "unit_type", *states)
        .order_by("vintage", "unit_type")
    ]
    columns = [
        str(label)
        for label in (
            _("Vintage"),
            _("Unit type"),
            _("Issued"),
            _("Buffer"),
            _("Available"),
            _("Reserved"),
            _("Sold"),
            _("Retired"),
        )
    ]
    title = str(_("Credits by vintage and status"))
    return Chart("credits", title, "bar", columns, rows, label_columns=2, series=(3, 4, 5, 6, 7))


def monitoring_coverage(*, user: AnyUser, view: PanelView) -> Chart:
    coverage = field_rollup(user=user, view=view).coverage
    rows = [[year, *coverage[year]] for year in sorted(coverage)]
    columns = [str(_("Year")), str(_("Plots measured")), str(_("Parcels visited"))]
    return Chart("monitoring", str(_("Monitoring coverage")), "bar", columns, rows, series=(1, 2))


def survival_by_species(*, user: AnyUser, view: PanelView) -> Chart:
    """Trees alive at each cohort's last count against those planted, by species and year."""
    cohorts = field_rollup(user=user, view=view).survival
    species = {
        row["pk"]: row
        for row in Species.objects.filter(pk__in={key[0] for key in cohorts}).values(
            "pk", "scientific_name", "common_name_es", "common_name_en"
        )
    }
    keys = sorted(cohorts, key=lambda key: (species[key[0]]["scientific_name"], key[1]))
    rows = [
        [_species_label(species[key[0]]), key[1], *cohorts[key], _percent(*cohorts[key])]
        for key in keys
    ]
    columns = [
        str(label)
        for label in (_("Species"), _("Planting year"), _("Planted"), _("Alive"), _("Survival (%)"))
    ]
    title = str(_("Survival by species and planting year"))
    return Chart("survival", title, "bar", columns, rows, label_columns=2, series=(4,))


def _percent(planted: int, alive: int) -> Decimal:
    return (Decimal(100) * alive / planted).quantize(Decimal("0.1"))


def _species_label(row: Mapping[str, Any]) -> str:
    """The common name in the reader's language, the scientific name beside it."""
    spanish = (translation.get_language() or "es").startswith("es")
    common = row["common_name_es" if spanish else "common_name_en"]
    scientific = row["scientific_name"]
    return f"{common} ({scientific})" if common else scientific


def money_over_months(*, user: AnyUser, view: PanelView) -> Chart:
    """Revenue of confirmed sales (per sale currency) and soles paid to families, by month."""
    revenue: dict[date, dict[str, Decimal]] = defaultdict(dict)
    for (currency, month), amount in revenue_by_month(user=user, view=view).items():
        revenue[month][currency] = revenue[month].get(currency, Decimal("0.00")) + amount
    paid = field_rollup(user=user, view=view).paid_by_month
    currencies = sorted({c for month in revenue.values() for c in month})
    rows = [
        [
            month.strftime("%Y-%m"),
            *(_cents(revenue[month][c]) if c in revenue[month] else None for c in currencies),
            paid.get(month, Decimal("0.00")),
        ]
        for month in sorted(set(revenue) | set(paid))
    ]
    columns = [
        str(_("Month")),
        *(str(_("Revenue (%(currency)s)")) % {"currency": c} for c in currencies),
        str(_("Paid to families (PEN)")),
    ]
    series = tuple(range(1, len(columns)))
    title = str(_("Revenue and payments to families"))
    return Chart("money", title, "bar", columns, rows, series=series)


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


CHARTS: dict[str, Callable[..., Chart]] = {
    "carbon": carbon_over_time,
    "credits": credits_by_vintage,
    "monitoring": monitoring_coverage,
    "survival": survival_by_species,
    "money": money_over_months,
}


def charts(*, user: AnyUser, view: PanelView) -> list[Chart]:
    return [build(user=user, view=view) for build in CHARTS.values()]
