"""The payment ledger (append-only events), trust holdings, advances, grievances, statements."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from benefits.choices import GrievanceStatus, LineStatus, PaymentMethod, TrustStatus
from benefits.models.distribution import DistributionLine
from benefits.models.policy import MONEY
from credits.models import AppendOnlyError, Reversal
from parcels.models import Parcel
from pichanaki.hashchain import GENESIS
from smallholders.models import Project, Smallholder


class PaymentEvent(models.Model):
    """One move of a family's line: accrued → approved → paid | withheld | cancelled.

    Append-only, like the credit ledger: never updated or deleted (model guard here, database
    trigger on PostgreSQL). Each project's events form a hash chain (`benefits.chain`):
    `sequence` numbers them 1, 2, 3… and `chain_hash` covers the event's content and the
    previous event's `chain_hash`, so tampering behind the trigger's back is seen by
    `verify_ledger`.
    """

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="+", verbose_name=_("project")
    )
    line = models.ForeignKey(
        DistributionLine, on_delete=models.PROTECT, related_name="events", verbose_name=_("line")
    )
    status = models.CharField(_("status"), max_length=10, choices=LineStatus.choices)
    amount = models.DecimalField(_("amount (PEN)"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default="PEN")
    method = models.CharField(
        _("payment method"), max_length=5, choices=PaymentMethod.choices, blank=True
    )
    reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    batch = models.CharField(_("batch"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"))
    sequence = models.PositiveBigIntegerField(_("position in the project's chain"))
    previous_hash = models.CharField(_("previous event's hash"), max_length=64)
    chain_hash = models.CharField(_("chain hash"), max_length=64)

    class Meta:
        ordering = ["line", "created_at", "pk"]
        verbose_name = _("payment event")
        verbose_name_plural = _("payment events")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "sequence"],
                name="%(app_label)s_%(class)s_one_per_position",
                violation_error_message=_("Two events cannot hold one place in the chain."),
            ),
            models.CheckConstraint(
                condition=~Q(status=LineStatus.PAID)
                | (Q(paid_on__isnull=False) & ~Q(method="") & ~Q(reference="")),
                name="%(app_label)s_%(class)s_paid_has_proof",
                violation_error_message=_("A payment names its method, reference and date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line_id}: {self.get_status_display()} {self.amount} {self.currency}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None or kwargs.get("force_update"):
            raise AppendOnlyError("payment events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> None:
        raise AppendOnlyError("payment events are append-only")


class PaymentChainHead(models.Model):
    """The head of a project's payment event chain: how many events and the last one's hash.

    Locked by every append (one at a time per project); published on the project's public
    benefits page so that outsiders can hold the payment ledger to it.
    """

    project = models.OneToOneField(
        Project, on_delete=models.PROTECT, related_name="payment_head", verbose_name=_("project")
    )
    length = models.PositiveBigIntegerField(_("events"), default=0)
    head_hash = models.CharField(_("head hash"), max_length=64, default=GENESIS)

    class Meta:
        verbose_name = _("payment chain head")
        verbose_name_plural = _("payment chain heads")

    def __str__(self) -> str:
        return f"{self.project}: {self.length} · {self.head_hash[:12]}"


class TrustHold(models.Model):
    """A parcel's part of a line held in trust because the parcel missed its monitoring target.

    Released (payable) when the target is met; after its deadline, returned (benefits.trust):
    the amount then goes into the next distribution of the project (`returned_to`), to the
    producers' pool or the community fund as the hold's policy says.
    """

    line = models.ForeignKey(
        DistributionLine, on_delete=models.CASCADE, related_name="holds", verbose_name=_("line")
    )
    parcel = models.ForeignKey(
        Parcel, on_delete=models.PROTECT, related_name="+", verbose_name=_("parcel")
    )
    amount = models.DecimalField(_("amount (PEN)"), **MONEY)
    reason = models.TextField(_("reason"))
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=10, choices=TrustStatus.choices, default=TrustStatus.HELD
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    returned_to = models.ForeignKey(
        "benefits.Distribution",
        on_delete=models.SET_NULL,  # a discarded preview gives the money back to the next one
        null=True,
        blank=True,
        related_name="returned_holds",
        verbose_name=_("returned to distribution"),
    )

    class Meta:
        ordering = ["line", "parcel"]
        verbose_name = _("share held in trust")
        verbose_name_plural = _("shares held in trust")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="%(app_label)s_%(class)s_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.parcel}: {self.amount} PEN ({self.get_status_display()})"


class Advance(models.Model):
    """Money paid to a family ahead of sales (e.g. per tree at planting), recovered later."""

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="+", verbose_name=_("project")
    )
    smallholder = models.ForeignKey(
        Smallholder, on_delete=models.PROTECT, related_name="+", verbose_name=_("family")
    )
    amount = models.DecimalField(_("amount (PEN)"), **MONEY)
    paid_on = models.DateField(_("paid on"))
    reason = models.CharField(_("reason"), max_length=200)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["smallholder", "paid_on", "pk"]
        verbose_name = _("advance")
        verbose_name_plural = _("advances")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="%(app_label)s_%(class)s_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.smallholder}: {self.amount} PEN ({self.paid_on})"

    def clean(self) -> None:
        owner = self.smallholder if self.smallholder_id else None
        if owner is not None and self.project_id and owner.project_id != self.project_id:
            raise ValidationError({"smallholder": _("This family belongs to another project.")})


class AdvanceRecovery(models.Model):
    """What a distribution line took back from an advance."""

    advance = models.ForeignKey(
        Advance, on_delete=models.PROTECT, related_name="recoveries", verbose_name=_("advance")
    )
    line = models.ForeignKey(
        DistributionLine,
        on_delete=models.CASCADE,
        related_name="recoveries",
        verbose_name=_("line"),
    )
    amount = models.DecimalField(_("amount (PEN)"), **MONEY)

    class Meta:
        verbose_name = _("advance recovery")
        verbose_name_plural = _("advance recoveries")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="%(app_label)s_%(class)s_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.advance_id} ← {self.amount}"


class ClawbackDeduction(models.Model):
    """What a line took back for a reversal that hit a line paid earlier (`source_line`), when
    that line's policy claws back from future shares (benefits.reversals.clawbacks_owed)."""

    reversal = models.ForeignKey(
        Reversal, on_delete=models.PROTECT, related_name="+", verbose_name=_("reversal")
    )
    source_line = models.ForeignKey(
        DistributionLine,
        on_delete=models.PROTECT,
        related_name="clawbacks_owed",
        verbose_name=_("line paid for the lost tonnes"),
    )
    line = models.ForeignKey(
        DistributionLine,
        on_delete=models.CASCADE,  # a discarded preview owes the deduction to the next one
        related_name="clawbacks",
        verbose_name=_("line"),
    )
    amount = models.DecimalField(_("amount (PEN)"), **MONEY)

    class Meta:
        ordering = ["line", "reversal"]
        verbose_name = _("deduction for a reversal")
        verbose_name_plural = _("deductions for reversals")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="%(app_label)s_%(class)s_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reversal_id}/{self.source_line_id} ← {self.amount}"


class Grievance(models.Model):
    """A family's complaint about one payment line, filed through their cooperative's staff."""

    line = models.ForeignKey(
        DistributionLine,
        on_delete=models.PROTECT,
        related_name="grievances",
        verbose_name=_("line"),
    )
    description = models.TextField(_("what the family contests"))
    status = models.CharField(
        _("status"), max_length=10, choices=GrievanceStatus.choices, default=GrievanceStatus.OPEN
    )
    resolution = models.TextField(_("resolution"), blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("filed by"),
    )
    filed_at = models.DateTimeField(_("filed at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        ordering = ["-filed_at"]
        verbose_name = _("grievance")
        verbose_name_plural = _("grievances")

    def __str__(self) -> str:
        return f"#{self.pk} ({self.get_status_display()})"


class Statement(models.Model):
    """A family statement as issued: its totals (checkable publicly by code) and SMS text."""

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="+", verbose_name=_("project")
    )
    smallholder = models.ForeignKey(
        Smallholder, on_delete=models.PROTECT, related_name="+", verbose_name=_("family")
    )
    period = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    code = models.UUIDField(_("verification code"), default=uuid.uuid4, unique=True)
    totals = models.JSONField(_("totals"))
    sms_text = models.CharField(_("short text (SMS/WhatsApp)"), max_length=300)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("family statement")
        verbose_name_plural = _("family statements")

    def __str__(self) -> str:
        return f"{self.smallholder} {self.period or ''} {self.short_code}"

    @property
    def short_code(self) -> str:
        return self.code.hex[:10].upper()


class StatementBatch(models.Model):
    """One PDF with every family statement of a cooperative, made in a background job."""

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="+", verbose_name=_("project")
    )
    cooperative = models.ForeignKey(
        "smallholders.Cooperative",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cooperative"),
    )
    period = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    total = models.PositiveIntegerField(_("families"), default=0)
    done = models.PositiveIntegerField(_("statements made"), default=0)
    status = models.CharField(_("status"), max_length=10, default="queued")
    error = models.TextField(_("error"), blank=True)
    pdf = models.FileField(_("PDF"), upload_to="statements/", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("statement batch")
        verbose_name_plural = _("statement batches")

    def __str__(self) -> str:
        return f"{self.cooperative} {self.period or ''}: {self.done}/{self.total}"

    @property
    def progress(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0
