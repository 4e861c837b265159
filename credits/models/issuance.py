"""Units entering and leaving the registry by verification: issuances and the parcels that
contributed to them, reversals (verified losses) and conversions of ex-ante units."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from credits.choices import UnitType
from credits.models.accounts import Account
from credits.models.events import LedgerEvent
from parcels.models import Parcel
from pichanaki.numbers import DecimalSpec, tonnes, units
from quantification.models import CalculationRun
from smallholders.models import Project, Smallholder

TONNES: DecimalSpec = {"max_digits": 15, "decimal_places": 3}


class Issuance(models.Model):
    """Units created from one vintage of an approved calculation run (issued once only)."""

    run = models.ForeignKey(
        CalculationRun,
        on_delete=models.PROTECT,
        related_name="issuances",
        verbose_name=_("calculation run"),
    )
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="issuances", verbose_name=_("project")
    )
    unit_type = models.CharField(_("unit type"), max_length=3, choices=UnitType.choices)
    vintage = models.PositiveSmallIntegerField(_("vintage"))
    quantity = models.PositiveBigIntegerField(_("issued to the issuance account"))
    buffer_quantity = models.PositiveBigIntegerField(_("issued to the buffer"))
    event = models.OneToOneField(
        LedgerEvent, on_delete=models.PROTECT, related_name="issuance", verbose_name=_("event")
    )
    issued_at = models.DateTimeField(_("issued at"))

    class Meta:
        ordering = ["-issued_at", "vintage"]
        verbose_name = _("issuance")
        verbose_name_plural = _("issuances")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "vintage"],
                name="%(app_label)s_%(class)s_once_per_run_vintage",
                violation_error_message=_("This run's vintage was already issued."),
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0) | Q(buffer_quantity__gt=0),
                name="%(app_label)s_%(class)s_not_empty",
                violation_error_message=_("An issuance creates at least one unit."),
            ),
        ]

    def __str__(self) -> str:
        total = f"{units(self.quantity)} + {units(self.buffer_quantity)}"
        return f"{self.project} {self.unit_type} {self.vintage}: {total}"


class IssuanceContribution(models.Model):
    """How many units of an issuance came from one parcel (and so one smallholder)."""

    issuance = models.ForeignKey(
        Issuance, on_delete=models.PROTECT, related_name="contributions", verbose_name=_("issuance")
    )
    parcel = models.ForeignKey(
        Parcel, on_delete=models.PROTECT, related_name="+", verbose_name=_("parcel")
    )
    smallholder = models.ForeignKey(
        Smallholder, on_delete=models.PROTECT, related_name="+", verbose_name=_("smallholder")
    )
    units = models.PositiveBigIntegerField(_("units"))
    buffer_units = models.PositiveBigIntegerField(_("buffer units"))

    class Meta:
        ordering = ["issuance", "parcel"]
        verbose_name = _("issuance contribution")
        verbose_name_plural = _("issuance contributions")
        constraints = [
            models.UniqueConstraint(
                fields=["issuance", "parcel"],
                name="%(app_label)s_%(class)s_unique_parcel",
                violation_error_message=_("This parcel already contributes to this issuance."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.issuance_id}/{self.parcel_id}: {units(self.units)}"


class Reversal(models.Model):
    """A loss of trees: the buffer units cancelled to cover it, and any uncovered shortfall."""

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="reversals", verbose_name=_("project")
    )
    quantity_tco2e = models.DecimalField(_("loss (tCO2e)"), **TONNES)
    units_cancelled = models.PositiveBigIntegerField(_("buffer units cancelled"))
    shortfall = models.PositiveBigIntegerField(_("uncovered shortfall (units)"))
    parcels = models.ManyToManyField(
        Parcel, blank=True, related_name="+", verbose_name=_("parcels")
    )
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("reversal")
        verbose_name_plural = _("reversals")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity_tco2e__gt=0),
                name="%(app_label)s_%(class)s_loss_positive",
                violation_error_message=_("A reversal records a positive loss."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.project}: {tonnes(self.quantity_tco2e)} tCO2e"


class Conversion(models.Model):
    """Ex-ante units of one holder and vintage cancelled against verified units (with shortfall)."""

    run = models.ForeignKey(
        CalculationRun, on_delete=models.PROTECT, related_name="+", verbose_name=_("verified run")
    )
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="+", verbose_name=_("project")
    )
    vintage = models.PositiveSmallIntegerField(_("vintage"))
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="+", verbose_name=_("holder")
    )
    ex_ante_cancelled = models.PositiveBigIntegerField(_("ex-ante units cancelled"))
    verified_delivered = models.PositiveBigIntegerField(_("verified units delivered"))
    shortfall = models.PositiveBigIntegerField(_("shortfall"))
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["-created_at", "vintage"]
        verbose_name = _("ex-ante conversion")
        verbose_name_plural = _("ex-ante conversions")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "vintage", "account"],
                name="%(app_label)s_%(class)s_once_per_holder",
                violation_error_message=_("This holder's vintage was already converted."),
            ),
            models.CheckConstraint(
                condition=Q(shortfall=F("ex_ante_cancelled") - F("verified_delivered"))
                | Q(shortfall=0, verified_delivered=F("ex_ante_cancelled")),
                name="%(app_label)s_%(class)s_shortfall_shown",
                violation_error_message=_("The shortfall is what was not delivered."),
            ),
        ]

    def __str__(self) -> str:
        delivered = f"{units(self.ex_ante_cancelled)} → {units(self.verified_delivered)}"
        return f"{self.account} {self.vintage}: {delivered}"
