"""Distributions of sale proceeds: the sales they cover, and one line per family."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from benefits.choices import DistributionStatus, LineStatus
from benefits.models.policy import MONEY, ImmutableError, SharingPolicy
from credits.models import Sale
from smallholders.models import Project, Smallholder


class Distribution(models.Model):
    """The proceeds of a set of confirmed sales, shared under one policy version.

    A preview can be discarded; once approved (by someone other than its creator) it is
    immutable. Amounts in the sale currency (`currency`) and in soles (`*_pen`).
    """

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="+", verbose_name=_("project")
    )
    policy = models.ForeignKey(
        SharingPolicy,
        on_delete=models.PROTECT,
        related_name="distributions",
        verbose_name=_("sharing policy"),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DistributionStatus.choices,
        default=DistributionStatus.PREVIEW,
    )
    currency = models.CharField(_("sale currency"), max_length=3)
    gross = models.DecimalField(_("gross (sale currency)"), **MONEY)
    rate_to_pen = models.DecimalField(_("PEN per unit"), max_digits=12, decimal_places=6)
    rate_source = models.CharField(_("rate source"), max_length=200)
    rate_date = models.DateField(_("rate date"))
    gross_pen = models.DecimalField(_("gross (PEN)"), **MONEY)
    pools = models.JSONField(_("pools (PEN)"), default=dict)
    producers_pool = models.DecimalField(_("producers' pool (PEN)"), **MONEY)
    inputs_hash = models.CharField(_("hash of the inputs and lines"), max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("distribution")
        verbose_name_plural = _("distributions")
        constraints = [
            models.CheckConstraint(
                condition=Q(status=DistributionStatus.PREVIEW, approved_at__isnull=True)
                | Q(status=DistributionStatus.APPROVED, approved_at__isnull=False),
                name="%(app_label)s_%(class)s_approved_has_date",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"#{self.pk} {self.project} {self.gross} {self.currency} ({self.get_status_display()})"
        )

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None and _stored_status(type(self), self.pk) == "approved":
            raise ImmutableError("an approved distribution is immutable")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        if self.status == DistributionStatus.APPROVED:
            raise ImmutableError("an approved distribution is immutable")
        return super().delete(*args, **kwargs)


def _stored_status(model: type[models.Model], pk: int) -> str | None:
    return model.objects.filter(pk=pk).values_list("status", flat=True).first()


class DistributionSale(models.Model):
    """A sale covered by a distribution. One row per sale, ever: the database refuses a second
    distribution of the same sale (unique `sale`)."""

    distribution = models.ForeignKey(
        Distribution, on_delete=models.CASCADE, related_name="sales", verbose_name=_("distribution")
    )
    sale = models.OneToOneField(
        Sale, on_delete=models.PROTECT, related_name="+", verbose_name=_("sale")
    )
    gross = models.DecimalField(_("gross (sale currency)"), **MONEY)
    units = models.PositiveBigIntegerField(_("units"))

    class Meta:
        ordering = ["distribution", "sale"]
        verbose_name = _("distributed sale")
        verbose_name_plural = _("distributed sales")

    def __str__(self) -> str:
        return gettext("%(distribution)s: sale %(sale)s") % {
            "distribution": self.distribution_id,
            "sale": self.sale_id,
        }


class DistributionLine(models.Model):
    """One family's part of a distribution, in soles, with where it came from.

    share = held_in_trust + advance_recovered + clawed_back + amount (the payable now;
    `benefits.sharing` and `benefits.planning` guarantee it, not a CHECK: SQLite compares
    decimals as floats). `status` is the state
    of the latest payment event (the events are the record; this is their running summary,
    written in the same transaction as the event).
    """

    distribution = models.ForeignKey(
        Distribution, on_delete=models.CASCADE, related_name="lines", verbose_name=_("distribution")
    )
    smallholder = models.ForeignKey(
        Smallholder, on_delete=models.PROTECT, related_name="+", verbose_name=_("family")
    )
    units = models.PositiveBigIntegerField(_("units contributed to the sold blocks"))
    weight = models.DecimalField(_("weight"), max_digits=24, decimal_places=8)
    share = models.DecimalField(_("share (PEN)"), **MONEY)
    held_in_trust = models.DecimalField(_("held in trust (PEN)"), **MONEY)
    advance_recovered = models.DecimalField(_("advance recovered (PEN)"), **MONEY)
    clawed_back = models.DecimalField(_("deducted for reversals (PEN)"), default=0, **MONEY)
    amount = models.DecimalField(_("payable now (PEN)"), **MONEY)
    provenance = models.JSONField(_("provenance"), default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=LineStatus.choices, default=LineStatus.ACCRUED
    )

    class Meta:
        ordering = ["distribution", "smallholder"]
        verbose_name = _("distribution line")
        verbose_name_plural = _("distribution lines")
        constraints = [
            models.UniqueConstraint(
                fields=["distribution", "smallholder"],
                name="%(app_label)s_%(class)s_one_per_family",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0)
                & Q(held_in_trust__gte=0)
                & Q(advance_recovered__gte=0)
                & Q(clawed_back__gte=0),
                name="%(app_label)s_%(class)s_not_negative",
                violation_error_message=_("A payment is never negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.smallholder}: {self.amount} PEN ({self.get_status_display()})"
