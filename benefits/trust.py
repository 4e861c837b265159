"""Shares held in trust after their deadline: returned, then taken in by a later distribution.

A hold whose parcel never met its target by the deadline is *returned* (`sweep_trust_deadlines`,
Celery beat, daily): its status becomes RETURNED and its line gets a CANCELLED payment event
saying why, in one transaction per hold (`payments.return_trust`). The next distribution of
the project adds every returned hold not yet taken to its producers' pool or to its community
fund, as the policy of the hold's own distribution says (`returned_holds`, read by the
planner), and points the hold at itself (`TrustHold.returned_to`): each sol is taken in once.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from benefits.choices import AfterDeadline, DistributionStatus, TrustStatus
from benefits.exceptions import BenefitsError
from benefits.models import TrustHold
from benefits.payments import return_trust
from smallholders.models import Project

ZERO = Decimal("0.00")


def overdue_holds(*, today: dt.date) -> QuerySet[TrustHold]:
    """Holds of approved distributions still held after their deadline (oldest first)."""
    return TrustHold.objects.filter(
        status=TrustStatus.HELD,
        deadline__lt=today,
        line__distribution__status=DistributionStatus.APPROVED,
    ).order_by("deadline", "pk")


def sweep_trust_deadlines(*, today: dt.date | None = None) -> int:
    """Return every overdue hold (each in its own transaction, see `payments.return_trust`,
    which locks the hold and re-reads its status, so a hold released meanwhile is skipped).
    Returns how many were returned."""
    today = today or timezone.localdate()
    returned = 0
    for hold_id, deadline, destination in overdue_holds(today=today).values_list(
        "pk", "deadline", "line__distribution__policy__after_deadline"
    ):
        reason = _("deadline %(date)s passed: %(where)s") % {
            "date": deadline.isoformat(),
            "where": AfterDeadline(destination).label,
        }
        try:
            return_trust(hold_id=hold_id, actor=None, reason=reason)
        except BenefitsError:
            continue  # released or busy meanwhile: the next sweep looks again
        returned += 1
    return returned


@dataclass(frozen=True)
class Returned:
    """Returned holds a new distribution takes in, by destination."""

    hold_ids: list[int]
    producers: Decimal
    community_fund: Decimal

    @property
    def total(self) -> Decimal:
        return self.producers + self.community_fund

    def as_json(self) -> dict[str, str]:
        return {"producers": str(self.producers), "community_fund": str(self.community_fund)}


def returned_holds(*, project: Project) -> QuerySet[TrustHold]:
    """Returned holds of the project's distributions that no distribution has taken in yet."""
    return TrustHold.objects.filter(
        line__distribution__project=project,
        status=TrustStatus.RETURNED,
        returned_to__isnull=True,
    ).order_by("pk")


def returned_to_pools(*, project: Project) -> Returned:
    """What the project's next distribution adds to its pools from returned holds."""
    ids, producers, fund = [], ZERO, ZERO
    for pk, amount, destination in returned_holds(project=project).values_list(
        "pk", "amount", "line__distribution__policy__after_deadline"
    ):
        ids.append(pk)
        if destination == AfterDeadline.COMMUNITY_FUND:
            fund += amount
        else:
            producers += amount
    return Returned(ids, producers, fund)
