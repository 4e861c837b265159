"""Reads of benefit sharing and who may see what.

Rules, one per line:
- superusers and verifiers read every distribution and line (verifiers also approve);
- project managers read their projects' distributions, lines and payments;
- cooperative staff read their projects' distributions and the lines of their own
  cooperative's families;
- buyers and the public read only aggregates (`project_transparency`), never a family's line.
Out-of-scope objects are "not found" (404).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from benefits.choices import DistributionStatus, LineStatus, TrustStatus
from benefits.models import (
    Distribution,
    DistributionLine,
    DistributionSale,
    PaymentEvent,
    Statement,
    TrustHold,
)
from credits.selectors import confirmed_sales
from smallholders.choices import Role
from smallholders.models import Cooperative, Project
from smallholders.selectors import AnyUser, scope_for


def distributions_for(*, user: AnyUser) -> QuerySet[Distribution]:
    scope = scope_for(user)
    rows = Distribution.objects.select_related("project", "policy")
    if scope.reads_everything:
        return rows
    if scope.role in (Role.MANAGER, Role.STAFF):
        return rows.filter(project_id__in=scope.project_ids)
    return rows.none()


def access_distribution(*, user: AnyUser, distribution_id: int | str) -> Distribution:
    try:
        return distributions_for(user=user).get(pk=distribution_id)
    except (Distribution.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def lines_for(*, user: AnyUser) -> QuerySet[DistributionLine]:
    scope = scope_for(user)
    rows = DistributionLine.objects.select_related("distribution", "smallholder")
    if scope.reads_everything:
        return rows
    if scope.role == Role.MANAGER:
        return rows.filter(distribution__project_id__in=scope.project_ids)
    if scope.role == Role.STAFF and scope.cooperative_id is not None:
        return rows.filter(smallholder__cooperative_id=scope.cooperative_id)
    return rows.none()


@dataclass(frozen=True)
class DistributionLines:
    """A distribution's lines as its page shows them, a bounded number of rows however many
    families it pays: totals per cooperative (every line counted) and the largest lines."""

    cooperatives: list[dict[str, Any]]  # name, families, units, share, held_in_trust, amount
    largest: list[DistributionLine]
    families: int


def distribution_lines(*, user: AnyUser, distribution_id: int, largest: int) -> DistributionLines:
    """Two queries: the totals per cooperative, then the `largest` lines (by share)."""
    rows = lines_for(user=user).filter(distribution_id=distribution_id)
    cooperatives = [
        {"name": row["smallholder__cooperative__name"], **row}
        for row in rows.values("smallholder__cooperative__name")
        .annotate(
            families=Count("pk"),
            units=Sum("units"),
            share=Sum("share"),
            held_in_trust=Sum("held_in_trust"),
            amount=Sum("amount"),
        )
        .order_by("-share", "smallholder__cooperative__name")
    ]
    top = rows.order_by("-share", "pk")[:largest]
    return DistributionLines(
        cooperatives=cooperatives,
        largest=list(top),
        families=sum(row["families"] for row in cooperatives),
    )


def access_line(*, user: AnyUser, line_id: int | str) -> DistributionLine:
    try:
        return lines_for(user=user).get(pk=line_id)
    except (DistributionLine.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def payment_events_for(*, user: AnyUser) -> QuerySet[PaymentEvent]:
    return PaymentEvent.objects.filter(line__in=lines_for(user=user)).select_related("line")


def statements_for(*, user: AnyUser) -> QuerySet[Statement]:
    """Issued family statements, read by whoever reads the families' lines (same rules)."""
    scope = scope_for(user)
    rows = Statement.objects.select_related("project", "smallholder")
    if scope.reads_everything:
        return rows
    if scope.role == Role.MANAGER:
        return rows.filter(project_id__in=scope.project_ids)
    if scope.role == Role.STAFF and scope.cooperative_id is not None:
        return rows.filter(smallholder__cooperative_id=scope.cooperative_id)
    return rows.none()


@dataclass(frozen=True)
class MoneySummary:
    """Money of a project (or of one cooperative's families in it).

    revenue: gross of confirmed sales per sale currency, e.g. {"USD": Decimal("2250.00")}.
      For a cooperative: each distributed sale's gross times the cooperative's part of that
      distribution's producers' pool (sales not yet distributed cannot be attributed).
    paid_pen: soles paid to families (PAID payment events).
    held_pen: soles held in trust now (approved distributions, holds not yet released).
    producers_share: producers' pools / gross in soles over approved distributions (a Decimal
      fraction of the gross, e.g. 0.6000), or None before the first approved distribution.
    """

    revenue: dict[str, Decimal]
    paid_pen: Decimal
    held_pen: Decimal
    producers_share: Decimal | None


def money_summary(*, project: Project, cooperative: Cooperative | None = None) -> MoneySummary:
    """The money totals for the back office's cards; see `MoneySummary` for each figure."""
    revenue: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for currency, _month, amount in revenue_rows(project, cooperative):
        revenue[currency] += amount
    events = PaymentEvent.objects.filter(
        line__distribution__project=project, status=LineStatus.PAID
    )
    holds = TrustHold.objects.filter(
        line__distribution__project=project,
        line__distribution__status=DistributionStatus.APPROVED,
        status=TrustStatus.HELD,
    )
    if cooperative is not None:
        events = events.filter(line__smallholder__cooperative=cooperative)
        holds = holds.filter(line__smallholder__cooperative=cooperative)
    return MoneySummary(
        revenue={k: v.quantize(Decimal("0.01")) for k, v in sorted(revenue.items())},
        paid_pen=_cents(events.aggregate(s=Sum("amount"))["s"]),
        held_pen=_cents(holds.aggregate(s=Sum("amount"))["s"]),
        producers_share=producers_share(project),
    )


def money_over_time(
    *, project: Project, cooperative: Cooperative | None = None
) -> list[tuple[dt.date, dict[str, Decimal], Decimal]]:
    """Per month (its first day), oldest first: (month, revenue per currency, soles paid).

    Revenue by the month of each sale (attributed as in `money_summary` for a cooperative),
    payments by the month of their `paid_on` date. Months with neither are left out.
    """
    revenue: dict[dt.date, dict[str, Decimal]] = defaultdict(dict)
    for currency, month, amount in revenue_rows(project, cooperative):
        revenue[month][currency] = revenue[month].get(currency, Decimal("0.00")) + amount
    events = PaymentEvent.objects.filter(
        line__distribution__project=project, status=LineStatus.PAID
    )
    if cooperative is not None:
        events = events.filter(line__smallholder__cooperative=cooperative)
    paid: dict[dt.date, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for day, amount in events.values_list("paid_on", "amount"):
        assert day is not None  # a paid event has its day
        paid[day.replace(day=1)] += amount
    months = sorted(set(revenue) | set(paid))
    return [
        (
            m,
            {c: a.quantize(Decimal("0.01")) for c, a in sorted(revenue.get(m, {}).items())},
            paid.get(m, Decimal("0.00")),
        )  # fmt: skip
        for m in months
    ]


def revenue_rows(
    project: Project, cooperative: Cooperative | None = None
) -> Iterator[tuple[str, dt.date, Decimal]]:
    """(currency, month, amount) per sale, attributed to the cooperative when one is given."""
    if cooperative is None:
        for sale in confirmed_sales(project_id=project.pk):
            yield sale.currency, _month(sale.sold_at), sale.price_per_tonne * sale.quantity
        return
    parts = _cooperative_parts(project, cooperative)
    rows = DistributionSale.objects.filter(distribution_id__in=parts).values_list(
        "distribution_id", "distribution__currency", "sale__sold_at", "gross"
    )
    for distribution_id, currency, sold_at, gross in rows:
        yield currency, _month(sold_at), gross * parts[distribution_id]


def _cooperative_parts(project: Project, cooperative: Cooperative) -> dict[int, Decimal]:
    """Per approved distribution: the cooperative's families' part of the producers' pool."""
    rows = (
        DistributionLine.objects.filter(
            distribution__project=project,
            distribution__status=DistributionStatus.APPROVED,
            smallholder__cooperative=cooperative,
        )
        .values("distribution_id", pool=F("distribution__producers_pool"))
        .annotate(shares=Sum("share"))
    )
    return {r["distribution_id"]: r["shares"] / r["pool"] for r in rows if r["pool"]}


def producers_share(project: Project) -> Decimal | None:
    """Producers' pools over the gross in soles of the approved distributions (None before)."""
    totals = Distribution.objects.filter(
        project=project, status=DistributionStatus.APPROVED
    ).aggregate(pool=Sum("producers_pool"), gross=Sum("gross_pen"))
    if not totals["gross"]:
        return None
    share: Decimal = (totals["pool"] / totals["gross"]).quantize(Decimal("0.0001"))
    return share


def _cents(value: Decimal | None) -> Decimal:
    # SQLite sums decimals as floats: back to whole céntimos.
    return (value or Decimal(0)).quantize(Decimal("0.01"))


def _month(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date().replace(day=1)
