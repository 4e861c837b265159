"""Serial blocks: who holds which serials of which project, unit type and vintage.

Units are never one row per tonne: a `SerialBlock` holds consecutive serials of one project,
unit type and vintage. Blocks are never edited in place: a split, transfer, reservation,
retirement or cancellation marks the old block `superseded` and creates new blocks that point
to it (`parent`). Live blocks (every state but superseded) never overlap (exclusion constraint
on PostgreSQL, migration 0002).
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from credits.choices import BlockState, UnitType
from credits.models.accounts import Account
from credits.models.events import LedgerEvent
from credits.models.issuance import Issuance
from credits.models.trade import Reservation, Retirement
from credits.serials import project_range
from smallholders.models import Project


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
        return project_range(
            self.project,
            unit_type=self.unit_type,
            vintage=self.vintage,
            start=self.serial_start,
            end=self.serial_end,
        )

    @property
    def is_live(self) -> bool:
        return self.state != BlockState.SUPERSEDED
