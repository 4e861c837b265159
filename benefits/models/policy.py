"""Sharing policies (versioned, immutable once used) and exchange rates."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from benefits.choices import AfterDeadline, Basis, Clawback, SplitMethod
from benefits.sharing import PLAN_VIVO_FLOOR, Terms
from pichanaki.numbers import BoundedDecimalSpec, DecimalSpec
from smallholders.models import Project

FRACTION: BoundedDecimalSpec = {
    "max_digits": 6,
    "decimal_places": 4,
    "validators": [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
}
MONEY: DecimalSpec = {"max_digits": 14, "decimal_places": 2}


class ImmutableError(RuntimeError):
    """Raised when code tries to change a used policy or an approved distribution."""


class SharingPolicy(models.Model):
    """How a project's sale proceeds are shared. A change is a new version; a version that a
    distribution used is never edited again."""

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="+", verbose_name=_("project")
    )
    version = models.PositiveIntegerField(_("version"))
    basis = models.CharField(_("basis"), max_length=5, choices=Basis.choices, default=Basis.GROSS)
    costs = models.JSONField(
        _("itemised costs"),
        default=list,
        blank=True,
        help_text=_('Fractions of the gross, e.g. [{"name": "verification", "fraction": "0.05"}].'),
    )
    producers_share = models.DecimalField(_("producers' share"), **FRACTION)
    floor = models.DecimalField(
        _("producers' floor (of gross)"), default=PLAN_VIVO_FLOOR, **FRACTION
    )
    cooperative_share = models.DecimalField(_("cooperative's share"), default=0, **FRACTION)
    community_fund_share = models.DecimalField(_("community fund"), default=0, **FRACTION)
    split_method = models.CharField(
        _("split between families"),
        max_length=12,
        choices=SplitMethod.choices,
        default=SplitMethod.CONTRIBUTION,
    )
    mix = models.JSONField(
        _("weighted mix"),
        default=dict,
        blank=True,
        help_text=_('Only for the weighted mix, e.g. {"contribution": "0.7", "trees": "0.3"}.'),
    )
    survival_threshold = models.DecimalField(
        _("minimum survival at the last monitoring"), default=Decimal("0.70"), **FRACTION
    )
    max_years_since_monitoring = models.PositiveSmallIntegerField(
        _("maximum years since monitoring"), default=5
    )
    trust_deadline_months = models.PositiveSmallIntegerField(
        _("months a share is held in trust"), default=24
    )
    after_deadline = models.CharField(
        _("after the deadline"),
        max_length=15,
        choices=AfterDeadline.choices,
        default=AfterDeadline.RETURN_TO_POOL,
    )
    advance_recovery_rate = models.DecimalField(
        _("advance recovery rate"), default=Decimal("0.50"), **FRACTION
    )
    clawback = models.CharField(
        _("clawback after reversals"),
        max_length=15,
        choices=Clawback.choices,
        default=Clawback.NEVER,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["project", "-version"]
        verbose_name = _("sharing policy")
        verbose_name_plural = _("sharing policies")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "version"],
                name="%(app_label)s_%(class)s_unique_version",
                violation_error_message=_("This project already has a policy with this version."),
            ),
            models.CheckConstraint(
                condition=Q(floor__gte=Decimal("0.60")),
                name="%(app_label)s_%(class)s_floor_plan_vivo",
                violation_error_message=_("The producers' floor cannot be under 60% of gross."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} v{self.version}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None and self.distributions.exists():
            raise ImmutableError("a sharing policy used by a distribution is immutable")
        super().save(*args, **kwargs)

    @property
    def terms(self) -> Terms:
        return Terms(
            basis=self.basis,
            costs=tuple((c["name"], Decimal(str(c["fraction"]))) for c in self.costs),
            producers_share=Decimal(str(self.producers_share)),
            cooperative_share=Decimal(str(self.cooperative_share)),
            community_fund_share=Decimal(str(self.community_fund_share)),
            floor=Decimal(str(self.floor)),
        )


class ExchangeRate(models.Model):
    """Soles (PEN) per unit of a sale currency, with where and when the rate was read."""

    currency = models.CharField(_("currency"), max_length=3)
    rate_to_pen = models.DecimalField(_("PEN per unit"), max_digits=12, decimal_places=6)
    source = models.CharField(_("source"), max_length=200)
    rate_date = models.DateField(_("rate date"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["currency", "-rate_date"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "rate_date", "source"],
                name="%(app_label)s_%(class)s_unique_day",
            ),
            models.CheckConstraint(
                condition=Q(rate_to_pen__gt=0), name="%(app_label)s_%(class)s_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate_to_pen} PEN ({self.source}, {self.rate_date})"
