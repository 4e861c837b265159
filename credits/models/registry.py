"""A project's registry entry (the prefix and number in its serials) and its vintages.

`CreditVintage` keeps the running totals per project, unit type and vintage and is the row every
ledger operation locks first.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from credits.choices import UnitType
from credits.serials import project_code
from smallholders.models import Project


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
        return project_code(
            prefix=self.prefix, country=self.project.country, project_number=self.number
        )


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
