"""Writes of benefit sharing: policies, rates, advances, distributions and their approval.

Payments (export, confirmations, trust) are in `benefits.payments`, grievances and statements
in `benefits.statements`. Each function owns its transaction.
"""

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from benefits.bulk import insert_rows
from benefits.chain import append_payment_events
from benefits.choices import DistributionStatus, GrievanceStatus, LineStatus, TrustStatus
from benefits.exceptions import BenefitsBusy, BenefitsError, NotApprovable, PolicyRefused
from benefits.models import (
    Advance,
    AdvanceRecovery,
    ClawbackDeduction,
    Distribution,
    DistributionLine,
    DistributionSale,
    ExchangeRate,
    Grievance,
    JobStatus,
    PaymentEvent,
    SharingPolicy,
    TrustHold,
)
from benefits.planning import FamilyPlan, Plan, Progress, no_progress, plan_distribution
from benefits.sharing import PolicyError, check_terms
from benefits.signals import announce_money_changed
from benefits.trust import returned_holds
from credits.models import Reversal, Sale
from credits.selectors import confirmed_sales
from pichanaki.collector import collector_paused
from pichanaki.locking import SHARING_POLICY_NUMBERING, LockTimeout, create_numbered, lock_rows
from smallholders.models import Project
from smallholders.selectors import scope_for


@transaction.atomic
def create_policy(*, project: Project, actor: User | None, **fields: Any) -> SharingPolicy:
    """A new policy version for the project (versions are never edited once used).

    Raises PolicyRefused with the reason when producers would get under the floor or the
    shares add up to more than the price.
    """
    policy = SharingPolicy(project=project, created_by=actor, **fields)
    try:
        check_terms(policy.terms)
    except (PolicyError, KeyError, ArithmeticError) as exc:
        raise PolicyRefused(str(exc)) from exc
    # No lock: two managers adding a version at once get 1 and 2 from the unique (project,
    # version) constraint and a retry, not 1 twice (LockTimeout if no number could be had).
    return create_numbered(
        SharingPolicy.objects.filter(project=project),
        field="version",
        purpose=SHARING_POLICY_NUMBERING,
        build=lambda version: _numbered(policy, version),
    )


def _numbered(policy: SharingPolicy, version: int) -> SharingPolicy:
    policy.version = version
    return policy


def record_exchange_rate(
    *, currency: str, rate_to_pen: Decimal, source: str, rate_date: dt.date
) -> ExchangeRate:
    return ExchangeRate.objects.create(
        currency=currency.strip().upper(), rate_to_pen=rate_to_pen, source=source,
        rate_date=rate_date,
    )  # fmt: skip


def record_advance(
    *, project: Project, smallholder_id: int, amount: Decimal, paid_on: dt.date, reason: str
) -> Advance:
    return Advance.objects.create(
        project=project, smallholder_id=smallholder_id, amount=amount, paid_on=paid_on,
        reason=reason,
    )  # fmt: skip


@transaction.atomic(durable=True)
def create_distribution(
    *,
    project: Project,
    actor: User | None,
    sale_ids: Sequence[int] | None = None,
    policy_version: int | None = None,
    today: dt.date | None = None,
    progress: Progress = no_progress,
) -> Distribution:
    """A preview distribution of the project's confirmed sales not yet distributed.

    Locks the candidate sales (then the project's advances) so that two managers distributing
    at once serialise: the second re-reads and finds the sales taken (AlreadyDistributed or
    NothingToDistribute). The unique sale of DistributionSale is the backstop.
    Raises PolicyRefused, NothingToDistribute, AlreadyDistributed, BenefitsBusy.
    """
    try:  # then the returned holds, so that two distributions never take the same one in
        sales = confirmed_sales(project_id=project.pk, sale_ids=sale_ids)
        lock_rows(Sale.objects.filter(pk__in=sales.values("pk")).only("pk"))
        lock_rows(Advance.objects.filter(project=project))
        # and the reversals, so that two distributions never deduct the same debt twice
        lock_rows(Reversal.objects.filter(project=project).only("pk"))
        lock_rows(returned_holds(project=project))
    except LockTimeout as exc:
        raise BenefitsBusy() from exc
    plan = plan_distribution(
        project=project, sale_ids=sale_ids, policy_version=policy_version,
        today=today or timezone.localdate(), progress=progress,
    )  # fmt: skip
    announce_money_changed(project_id=project.pk)
    progress(65, JobStatus.WRITING)
    with collector_paused():  # see pichanaki.collector
        distribution = _write_plan(plan, actor)
    progress(95, JobStatus.WRITING)
    return distribution


def _write_plan(plan: Plan, actor: User | None) -> Distribution:
    pools = plan.pools
    distribution = Distribution.objects.create(
        project=plan.project, policy=plan.policy, currency=plan.currency, gross=plan.gross,
        rate_to_pen=plan.rate.rate_to_pen, rate_source=plan.rate.source,
        rate_date=plan.rate.rate_date, gross_pen=plan.gross_pen,
        pools={"costs": {k: str(v) for k, v in pools.costs.items()},
               "producers": str(pools.producers), "cooperative": str(pools.cooperative),
               "community_fund": str(pools.community_fund), "operator": str(pools.operator),
               "returned_from_trust": plan.returned.as_json()},
        producers_pool=plan.producers_pool, inputs_hash=plan.hash, created_by=actor,
        created_at=timezone.now(),
    )  # fmt: skip
    TrustHold.objects.filter(pk__in=plan.returned.hold_ids).update(returned_to=distribution)
    insert_rows(
        DistributionSale, ("distribution_id", "sale_id", "gross", "units"),
        ((distribution.pk, pk, gross, units) for pk, gross, units in plan.sales),
    )  # fmt: skip
    by_family = _insert_lines(distribution.pk, plan.families)
    deadline = timezone.localdate() + dt.timedelta(days=30 * plan.policy.trust_deadline_months)
    insert_rows(
        TrustHold, ("line_id", "parcel_id", "amount", "reason", "deadline", "status"),
        ((by_family[f.smallholder_id], parcel, amount, reason, deadline, TrustStatus.HELD.value)
         for f in plan.families if f.held for parcel, (amount, reason) in f.held.items()),
    )  # fmt: skip
    AdvanceRecovery.objects.bulk_create(
        AdvanceRecovery(advance_id=advance, line_id=by_family[f.smallholder_id], amount=amount)
        for f in plan.families
        for advance, amount in f.recoveries
    )
    ClawbackDeduction.objects.bulk_create(
        ClawbackDeduction(
            reversal_id=reversal,
            source_line_id=source,
            line_id=by_family[f.smallholder_id],
            amount=amount,
        )  # fmt: skip
        for f in plan.families
        for reversal, source, amount in f.clawbacks
    )
    return distribution


LINE_COLUMNS = ("distribution_id", "smallholder_id", "units", "weight", "share", "held_in_trust",
                "advance_recovered", "clawed_back", "amount", "provenance", "status")  # fmt: skip
WEIGHT = Decimal("0.00000001")


def _insert_lines(distribution_id: int, families: list[FamilyPlan]) -> dict[int, int]:
    """Write one line per family (one batch insert); returns smallholder id → line id."""
    accrued = LineStatus.ACCRUED.value
    insert_rows(
        DistributionLine, LINE_COLUMNS,
        ((distribution_id, f.smallholder_id, f.units, f.weight.quantize(WEIGHT), f.share,
          f.held_in_trust, f.advance_recovered, f.clawed_back, f.amount, f.provenance, accrued)
         for f in families),
        json_columns=("provenance",),
    )  # fmt: skip
    return dict(
        DistributionLine.objects.filter(distribution_id=distribution_id).values_list(
            "smallholder_id", "pk"
        )
    )


@transaction.atomic(durable=True)
def discard_distribution(*, distribution_id: int, actor: User) -> None:
    """Drop a preview (its sales become distributable again); approved ones are immutable."""
    distribution = _lock_distribution(distribution_id)
    if distribution.status != DistributionStatus.PREVIEW:
        raise NotApprovable(_("An approved distribution cannot be discarded."))
    distribution.delete()
    announce_money_changed(project_id=distribution.project_id)


def _lock_distribution(distribution_id: int) -> Distribution:
    try:
        rows = lock_rows(Distribution.objects.filter(pk=distribution_id))
    except LockTimeout as exc:
        raise BenefitsBusy() from exc
    if not rows:
        raise NotApprovable(_("Distribution #%(id)s does not exist.") % {"id": distribution_id})
    return rows[0]


@transaction.atomic(durable=True)
def approve_distribution(*, distribution_id: int, actor: User) -> Distribution:
    """Approve a preview: by a verifier or a manager of the project other than its creator.

    Locks the distribution, re-reads its status, then appends for every line an ACCRUED event
    (the share), an APPROVED one (payable now) and a WITHHELD one (held in trust, with why).
    """
    distribution = _lock_distribution(distribution_id)
    if distribution.status != DistributionStatus.PREVIEW:
        raise NotApprovable(
            _("Distribution #%(id)s is already approved.") % {"id": distribution.pk}
        )
    scope = scope_for(actor)
    if not (scope.reads_everything or distribution.project_id in scope.project_ids) or not (
        scope.approves
    ):
        raise NotApprovable(_("Only a verifier or a manager of the project may approve."))
    if actor.pk == distribution.created_by_id:
        raise NotApprovable(_("Another person must approve the distribution you created."))
    now = timezone.now()
    distribution.status, distribution.approved_by, distribution.approved_at = (
        DistributionStatus.APPROVED, actor, now,
    )  # fmt: skip
    distribution.save(update_fields=["status", "approved_by", "approved_at"])
    _append_approval_events(distribution, actor, now)
    announce_money_changed(project_id=distribution.project_id)
    return distribution


def _append_approval_events(distribution: Distribution, actor: User, now: dt.datetime) -> None:
    reasons: dict[int, list[str]] = {}
    for hold in TrustHold.objects.filter(line__distribution=distribution).select_related("parcel"):
        reasons.setdefault(hold.line_id, []).append(f"{hold.parcel.code}: {hold.reason}")
    events, approved, withheld = [], [], []
    for line in distribution.lines.all():
        events.append(_event(line, LineStatus.ACCRUED, line.share, actor, now))
        if line.amount > 0:
            events.append(_event(line, LineStatus.APPROVED, line.amount, actor, now))
            approved.append(line.pk)
        if line.held_in_trust > 0:
            why = "; ".join(reasons.get(line.pk, []))
            events.append(_event(line, LineStatus.WITHHELD, line.held_in_trust, actor, now, why))
            if line.amount == 0:
                withheld.append(line.pk)
    # After the distribution's lock: the chain head is the last lock taken (see benefits.chain).
    append_payment_events(project_id=distribution.project_id, events=events)
    DistributionLine.objects.filter(pk__in=approved).update(status=LineStatus.APPROVED)
    DistributionLine.objects.filter(pk__in=withheld).update(status=LineStatus.WITHHELD)


def _event(
    line: DistributionLine,
    status: str,
    amount: Decimal,
    actor: User,
    now: dt.datetime,
    reason: str = "",
) -> PaymentEvent:
    return PaymentEvent(line=line, status=status, amount=amount, actor=actor, reason=reason,
                        created_at=now)  # fmt: skip


@transaction.atomic
def file_grievance(*, line_id: int, actor: User, description: str) -> Grievance:
    """Record a family's complaint about one payment line (through their cooperative's staff
    or the project's manager). Raises NotApprovable when the person may not file it."""
    from benefits.selectors import lines_for

    line = lines_for(user=actor).filter(pk=line_id).first()
    if line is None or not description.strip():
        raise NotApprovable(_("Describe the complaint about a payment line of your families."))
    return Grievance.objects.create(
        line=line, description=description.strip(), filed_by=actor, filed_at=timezone.now()
    )


@transaction.atomic
def resolve_grievance(*, grievance_id: int, actor: User, status: str, resolution: str) -> Grievance:
    """Close a grievance as resolved or rejected, saying how (managers of the project)."""
    grievance = lock_rows(Grievance.objects.filter(pk=grievance_id))[0]
    scope = scope_for(actor)
    project_id = grievance.line.distribution.project_id
    if not (scope.is_superuser or (scope.manages and project_id in scope.project_ids)):
        raise NotApprovable(_("Only a manager of the project may resolve a grievance."))
    if status not in (GrievanceStatus.RESOLVED, GrievanceStatus.REJECTED) or not resolution:
        raise NotApprovable(_("Say whether the grievance is resolved or rejected, and how."))
    grievance.status, grievance.resolution, grievance.resolved_at = (
        status, resolution, timezone.now(),
    )  # fmt: skip
    grievance.save(update_fields=["status", "resolution", "resolved_at"])
    return grievance


def distribute_pending_sales() -> int:
    """For every project with a sharing policy: a preview of its undistributed sales, one per
    sale currency that has an exchange rate. Projects with nothing to do are skipped."""
    created = 0
    project_ids = SharingPolicy.objects.values_list("project_id", flat=True).distinct()
    for project in Project.objects.filter(pk__in=project_ids).order_by("pk"):
        undistributed = confirmed_sales(project_id=project.pk).exclude(
            pk__in=DistributionSale.objects.values("sale_id")
        )
        by_currency: dict[str, list[int]] = {}
        for pk, currency in undistributed.values_list("pk", "currency"):
            by_currency.setdefault(currency, []).append(pk)
        for sale_ids in by_currency.values():
            try:
                create_distribution(project=project, actor=None, sale_ids=sale_ids)
            except BenefitsError:
                continue  # no rate yet, or another person took them: next run tries again
            created += 1
    return created
