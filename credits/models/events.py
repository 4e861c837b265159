"""The append-only ledger: its events and the head of each project's hash chain."""

from typing import NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from credits.choices import EventKind, UnitType
from credits.models.accounts import Account
from pichanaki.hashchain import GENESIS
from pichanaki.numbers import units
from smallholders.models import Project


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete a ledger event."""


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

    def delete(self, *args: object, **kwargs: object) -> NoReturn:
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
