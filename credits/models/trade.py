"""Units changing hands: reservations of a buyer, the sales that confirm them, retirements."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from credits.choices import ReservationStatus, UnitType
from credits.models.accounts import Account
from credits.models.events import LedgerEvent
from pichanaki.numbers import DecimalSpec, money, units
from smallholders.models import Project

MONEY: DecimalSpec = {"max_digits": 13, "decimal_places": 2}


class Reservation(models.Model):
    """Units held for a buyer until it expires, is released or is confirmed as a sale."""

    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="reservations", verbose_name=_("buyer")
    )
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="+", verbose_name=_("project")
    )
    unit_type = models.CharField(_("unit type"), max_length=3, choices=UnitType.choices)
    vintage = models.PositiveSmallIntegerField(_("vintage"))
    quantity = models.PositiveBigIntegerField(_("quantity"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ReservationStatus.choices,
        default=ReservationStatus.PENDING,
    )
    expires_at = models.DateTimeField(_("expires at"))
    created_at = models.DateTimeField(_("created at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0),
                name="%(app_label)s_%(class)s_quantity_positive",
                violation_error_message=_("A reservation holds at least one unit."),
            )
        ]
        indexes = [
            models.Index(
                fields=["expires_at"],
                condition=Q(status=ReservationStatus.PENDING),
                name="credits_reservation_due_idx",
            )
        ]

    def __str__(self) -> str:
        status = self.get_status_display()
        return f"#{self.pk} · {units(self.quantity)} {self.unit_type} {self.vintage} ({status})"


class Sale(models.Model):
    """A confirmed reservation: price, currency and invoice of the units the buyer received."""

    reservation = models.OneToOneField(
        Reservation, on_delete=models.PROTECT, related_name="sale", verbose_name=_("reservation")
    )
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="purchases", verbose_name=_("buyer")
    )
    quantity = models.PositiveBigIntegerField(_("quantity"))
    price_per_tonne = models.DecimalField(_("price per tonne"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3)
    invoice_reference = models.CharField(_("invoice reference"), max_length=100, blank=True)
    event = models.OneToOneField(
        LedgerEvent, on_delete=models.PROTECT, related_name="sale", verbose_name=_("event")
    )
    sold_at = models.DateTimeField(_("sold at"))

    class Meta:
        ordering = ["-sold_at"]
        verbose_name = _("sale")
        verbose_name_plural = _("sales")
        constraints = [
            models.CheckConstraint(
                condition=Q(price_per_tonne__gte=0),
                name="%(app_label)s_%(class)s_price_not_negative",
                violation_error_message=_("The price cannot be negative."),
            )
        ]

    def __str__(self) -> str:
        return f"{units(self.quantity)} × {money(self.price_per_tonne)} {self.currency}"

    @property
    def total(self):  # noqa: ANN201 (Decimal)
        return self.price_per_tonne * self.quantity


class Retirement(models.Model):
    """Verified units retired for a beneficiary; public, verifiable by `verification_code`."""

    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="retirements", verbose_name=_("account")
    )
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="retirements", verbose_name=_("project")
    )
    unit_type = models.CharField(_("unit type"), max_length=3, choices=UnitType.choices)
    vintage = models.PositiveSmallIntegerField(_("vintage"))
    quantity = models.PositiveBigIntegerField(_("quantity"))
    beneficiary = models.CharField(_("beneficiary"), max_length=200)
    purpose = models.TextField(_("purpose"))
    retired_on = models.DateField(_("retirement date"))
    verification_code = models.UUIDField(
        _("verification code"), default=uuid.uuid4, unique=True, editable=False
    )
    event = models.OneToOneField(
        LedgerEvent, on_delete=models.PROTECT, related_name="retirement", verbose_name=_("event")
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("retirement")
        verbose_name_plural = _("retirements")

    def __str__(self) -> str:
        return f"{units(self.quantity)} t · {self.beneficiary}"
