"""What a family's payable gives back before it is paid: advances (at the policy's rate) and,
under a policy that claws back from future shares, what its paid lines owe for reversals
(benefits.reversals). Neither ever makes a payment negative: what cannot be taken waits."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum

from benefits.models import Advance, AdvanceRecovery, SharingPolicy
from benefits.reversals import Owed
from benefits.sharing import recover_advance
from smallholders.models import Project


def outstanding_advances(project: Project) -> dict[int, list[tuple[int, Decimal]]]:
    recovered = dict(
        AdvanceRecovery.objects.filter(advance__project=project)
        .values("advance_id")
        .annotate(total=Sum("amount"))
        .values_list("advance_id", "total")
    )
    out: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for advance in Advance.objects.filter(project=project).order_by("paid_on", "pk"):
        left = advance.amount - recovered.get(advance.pk, Decimal(0))
        if left > 0:
            out[advance.smallholder_id].append((advance.pk, left))
    return out


def claw_back(payable: Decimal, owed: list[Owed]) -> list[tuple[int, int, Decimal]]:
    """Deduct what the family's paid lines owe for reversals, oldest first, from what is
    payable now: never below zero; the rest waits for the next distribution."""
    taken = []
    for item in owed:
        amount = min(item.left, payable)
        if amount > 0:
            taken.append((item.reversal_id, item.source_line_id, amount))
            payable -= amount
    return taken


def recover(payable: Decimal, advances, policy: SharingPolicy) -> list[tuple[int, Decimal]]:
    """Take back advances, oldest first, at the policy's rate of what is payable now."""
    total = sum((left for _advance, left in advances), Decimal(0))
    budget = recover_advance(payable, total, policy.advance_recovery_rate)
    taken = []
    for advance_id, left in advances:
        amount = min(left, budget)
        if amount > 0:
            taken.append((advance_id, amount))
            budget -= amount
    return taken
