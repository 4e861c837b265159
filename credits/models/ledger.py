"""The credit ledger: accounts, serial blocks, the append-only event log and what refers to it.

Units are never one row per tonne: a `SerialBlock` holds consecutive serials of one project,
unit type and vintage. Blocks are never edited in place: a split, transfer, reservation,
retirement or cancellation marks the old block `superseded` and creates new blocks that point
to it (`parent`). Live blocks (every state but superseded) never overlap (exclusion constraint
on PostgreSQL, migration 0002). `CreditVintage` keeps the running totals per project, unit type
and vintage and is the row every operation locks first.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from credits.choices import (
    AccountKind,
    BlockState,
    EventKind,
    ReservationStatus,
    UnitType,
)
from credits.serials import format_range
from parcels.models import Parcel
from pichanaki.hashchain import GENESIS
from pichanaki.numbers import DecimalSpec, money, tonnes, units
from quantification.models import CalculationRun
from smallholders.models import Project, Smallholder

MONEY: DecimalSpec = {"max_digits": 13, "decimal_places": 2}
TONNES: DecimalSpec = {"max_digits": 15, "decimal_places": 3}


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete a ledger event."""


class ProjectRegistry(models.Model):
    """A project's entry in the registry: the prefix and number printed in its serials."""

    project = models.OneToOneField(
        Project, on_delete=models.PROTECT, related_name="registry", verbose_name=_("project")
    )
    prefix = models.CharField(_("registry prefix"), max_length=10, default="PCH")
    number = models.PositiveIntegerField(_("project number"), unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("project registry entry")
        verbose_name_plural = _("project registry entries")
        constraints = [
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="%(app_label)s_%(class)s_number_positive",
                violation_error_message=_("Project numbers start at 1."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.project.country}-{self.number:03d}"


class BuyerOrganisation(models.Model):
    """A company or person that buys and retires credits; it has one ledger account."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    country = models.CharField(_("country (ISO code)"), max_length=2, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="buyer_organisations",
        verbose_name=_("members"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("buyer organisation")
        verbose_name_plural = _("buyer organisations")

    def __str__(self) -> str:
        return self.name


class Account(models.Model):
    """Where units are held: a project's issuance or buffer account, or a buyer's account."""

    kind = models.CharField(_("kind"), max_length=10, choices=AccountKind.choices)
    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_accounts",
        verbose_name=_("project"),
    )
    organisation = models.OneToOneField(
        BuyerOrganisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="account",
        verbose_name=_("buyer organisation"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["kind", "pk"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind=AccountKind.BUYER, organisation__isnull=False, project__isnull=True)
                    | (
                        Q(kind__in=[AccountKind.ISSUANCE, AccountKind.BUFFER])
                        & Q(organisation__isnull=True, project__isnull=False)
                    )
                ),
                name="%(app_label)s_%(class)s_owner_matches_kind",
                violation_error_message=_(
                    "Buyer accounts belong to an organisation; issuance and buffer accounts to a "
                    "project."
                ),
            ),
            models.UniqueConstraint(
                fields=["project", "kind"],
                condition=Q(project__isnull=False),
                name="%(app_label)s_%(class)s_one_per_project_kind",
                violation_error_message=_("This project already has an account of this kind."),
            ),
        ]

    def __str__(self) -> str:
        if self.kind == AccountKind.BUYER:
            return str(self.organisation)
        return f"{self.get_kind_display()} · {self.project}"


class CreditVintage(models.Model):
    """Running totals and the serial counter of one project, unit type and vintage.

    Every ledger operation locks this row (SELECT ... FOR UPDATE) before it reads blocks, so
    operations on one vintage are serialised. `issued` always equals the sum of the buckets,
    and `next_serial - 1` is the last serial ever allocated (serials are never reused).
    """

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="credit_vintages", verbose_name=_("project")
    )
    unit_type = models.CharField(_("unit type"), max_length=3, choices=UnitType.choices)
    vintage = models.PositiveSmallIntegerField(_("vintage"))
    next_serial = models.PositiveBigIntegerField(_("next serial"), default=1)
    issued = models.PositiveBigIntegerField(_("issued"), default=0)
    available = models.PositiveBigIntegerField(_("available"), default=0)
    reserved = models.PositiveBigIntegerField(_("reserved"), default=0)
    held = models.PositiveBigIntegerField(_("held by buyers"), default=0)
    buffer = models.PositiveBigIntegerField(_("in the buffer"), default=0)
    retired = models.PositiveBigIntegerField(_("retired"), default=0)
    cancelled = models.PositiveBigIntegerField(_("cancelled"), default=0)

    class Meta:
        ordering = ["project", "unit_type", "vintage"]
        verbose_name = _("credit vintage")
        verbose_name_plural = _("credit vintages")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "unit_type", "vintage"],
                name="%(app_label)s_%(class)s_unique_key",
                violation_error_message=_("This vintage already exists."),
            ),
            models.CheckConstraint(
                condition=Q(
                    issued=F("available")
                    + F("reserved")
                    + F("held")
                    + F("buffer")
                    + F("retired")
                    + F("cancelled")
                ),
                name="%(app_label)s_%(class)s_conservation",
                violation_error_message=_("Issued must equal the sum of all balances."),
            ),
            models.CheckConstraint(
                condition=Q(next_serial=F("issued") + 1),
                name="%(app_label)s_%(class)s_serials_match_issued",
                violation_error_message=_("Every issued unit has exactly one serial."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.unit_type} {self.vintage}"


class LedgerEvent(models.Model):
    """One entry of the append-only ledger: who did what to which serials, when and why.

    Rows are never updated or deleted (model guard here, database trigger on PostgreSQL).
    Each project's events form a hash chain (`credits.chain`): `sequence` numbers them 1, 2, 3…
    and `chain_hash` covers the event's content and the previous event's `chain_hash`, so an
    edit, deletion or insertion made behind the trigger's back is seen by `verify_ledger`.
    """

    kind = models.CharField(_("kind"), max_length=10, choices=EventKind.choices)
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="+", verbose_name=_("project")
    )
    unit_type = models.CharField(_("unit type"), max_length=3, choices=UnitType.choices)
    vintage = models.PositiveSmallIntegerField(_("vintage"))
    quantity = models.PositiveBigIntegerField(_("quantity"))
    from_account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from account"),
    )
    to_account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("to account"),
    )
    serials = models.JSONField(_("serial ranges"), default=list)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor label"), max_length=150)
    reason = models.TextField(_("reason"), blank=True)
    reference = models.JSONField(_("reference"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"))
    sequence = models.PositiveBigIntegerField(_("position in the project's chain"))
    previous_hash = models.CharField(_("previous event's hash"), max_length=64)
    chain_hash = models.CharField(_("chain hash"), max_length=64)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("ledger event")
        verbose_name_plural = _("ledger events")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "sequence"],
                name="%(app_label)s_%(class)s_one_per_position",
                violation_error_message=_("Two events cannot hold one place in the chain."),
            )
        ]
        indexes = [
            models.Index(
                fields=["project", "unit_type", "vintage", "created_at"],
                name="credits_event_vintage_idx",
            )
        ]

    def __str__(self) -> str:
        when = f"{self.created_at:%Y-%m-%d %H:%M}"
        return f"{self.get_kind_display()} {units(self.quantity)} ({when})"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None or kwargs.get("force_update"):
            raise AppendOnlyError("ledger events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> None:
        raise AppendOnlyError("ledger events are append-only")


class LedgerChainHead(models.Model):
    """The head of a project's event chain: how many events it has and the last one's hash.

    Locked (SELECT ... FOR UPDATE) by every append, so that a project's events are chained one
    at a time; published on the registry so that outsiders can hold the ledger to it.
    """

    project = models.OneToOneField(
        Project, on_delete=models.PROTECT, related_name="ledger_head", verbose_name=_("project")
    )
    length = models.PositiveBigIntegerField(_("events"), default=0)
    head_hash = models.CharField(_("head hash"), max_length=64, default=GENESIS)

    class Meta:
        verbose_name = _("ledger chain head")
        verbose_name_plural = _("ledger chain heads")

    def __str__(self) -> str:
        return f"{self.project}: {self.length} · {self.head_hash[:12]}"


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


class SerialBlock(models.Model):
    """Consecutive serials `serial_start..serial_end` of one project, unit type and vintage.

    Never edited in place, except to mark it `superseded` (with the event that did it) when it
    is split or moved; its successors point to it through `parent`.
    """

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="serial_blocks", verbose_name=_("project")
    )
    unit_type = models.CharField(_("unit type"), max_length=3, choices=UnitType.choices)
    vintage = models.PositiveSmallIntegerField(_("vintage"))
    serial_start = models.PositiveBigIntegerField(_("first serial"))
    serial_end = models.PositiveBigIntegerField(_("last serial"))
    quantity = models.PositiveBigIntegerField(_("quantity"))
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="blocks", verbose_name=_("holder")
    )
    state = models.CharField(
        _("state"), max_length=10, choices=BlockState.choices, default=BlockState.ACTIVE
    )
    issuance = models.ForeignKey(
        Issuance, on_delete=models.PROTECT, related_name="blocks", verbose_name=_("issuance")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("split from"),
    )
    reservation = models.ForeignKey(
        Reservation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="blocks",
        verbose_name=_("reservation"),
    )
    retirement = models.ForeignKey(
        Retirement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="blocks",
        verbose_name=_("retirement"),
    )
    created_event = models.ForeignKey(
        LedgerEvent,
        on_delete=models.PROTECT,
        related_name="created_blocks",
        verbose_name=_("created by event"),
    )
    superseded_event = models.ForeignKey(
        LedgerEvent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_blocks",
        verbose_name=_("superseded by event"),
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["project", "unit_type", "vintage", "serial_start", "pk"]
        verbose_name = _("serial block")
        verbose_name_plural = _("serial blocks")
        constraints = [
            models.CheckConstraint(
                condition=Q(serial_start__gte=1) & Q(serial_start__lte=F("serial_end")),
                name="%(app_label)s_%(class)s_start_le_end",
                violation_error_message=_("A block's first serial must not exceed its last."),
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0) & Q(quantity=F("serial_end") - F("serial_start") + 1),
                name="%(app_label)s_%(class)s_quantity_matches_range",
                violation_error_message=_("A block's quantity is the length of its range."),
            ),
            models.CheckConstraint(
                condition=Q(state=BlockState.SUPERSEDED, superseded_event__isnull=False)
                | (~Q(state=BlockState.SUPERSEDED) & Q(superseded_event__isnull=True)),
                name="%(app_label)s_%(class)s_superseded_has_event",
                violation_error_message=_("Only superseded blocks name the event that ended them."),
            ),
            models.CheckConstraint(
                condition=~Q(state=BlockState.RESERVED) | Q(reservation__isnull=False),
                name="%(app_label)s_%(class)s_reserved_has_reservation",
                violation_error_message=_("Reserved blocks belong to a reservation."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["account", "project", "unit_type", "vintage", "state", "serial_start"],
                condition=~Q(state=BlockState.SUPERSEDED),
                name="credits_block_live_idx",
            ),
            models.Index(
                fields=["project", "unit_type", "vintage", "serial_start", "serial_end"],
                name="credits_block_serial_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.printed_serial

    @property
    def printed_serial(self) -> str:
        registry = self.project.registry
        return format_range(
            prefix=registry.prefix,
            country=self.project.country,
            project_number=registry.number,
            unit_type=self.unit_type,
            vintage=self.vintage,
            start=self.serial_start,
            end=self.serial_end,
        )

    @property
    def is_live(self) -> bool:
        return self.state != BlockState.SUPERSEDED
